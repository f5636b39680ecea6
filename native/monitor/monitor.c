/*
 * berth-monitor create: double-fork a monitor that creates the container,
 * serves the control socket (its commands are in control.c), writes the log
 * and the state file, carries out the restart policy, and records the exit.
 * See native/PROTOCOL.md.
 */
#include "monitor-private.h"
#include "strbuf.h"
#include "berth-constants.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char sock_path[PATH_MAX];

/* How long output must have stopped before its buffers are trimmed. */
#define IDLE_TRIM_MS 1000

void monitor_write_state(monitor *m)
{
  char path[PATH_MAX];
  strbuf b;
  sb_init(&b);
  sb_puts(&b, "{\"status\":");
  sb_json_str(&b, m->status, JSON_GO);
  sb_printf(&b, ",\"pid\":%d,\"pidStartTime\":%llu,\"monitorPid\":%d,\"monitorStartTime\":%llu,\"startedAt\":",
            m->alive ? (int)m->proc.pid : 0, m->alive ? m->proc.start_time : 0ULL, (int)getpid(),
            proc_starttime(getpid()));
  sb_json_str(&b, m->started_at, JSON_GO);
  sb_puts(&b, ",\"finishedAt\":");
  sb_json_str(&b, m->finished_at, JSON_GO);
  sb_printf(&b, ",\"exitCode\":%d,\"oomKilled\":%s,\"restartCount\":%d,\"stoppedByUser\":%s,\"error\":", m->exit_code,
            m->oom ? "true" : "false", m->restart_count, m->stopped_by_user ? "true" : "false");
  sb_json_str(&b, m->error, JSON_GO);
  sb_puts(&b, "}\n");
  snprintf(path, sizeof path, "%s/" BERTH_MONITOR_STATE_FILE, m->o->state_dir);
  berr_t err = {0};
  if (write_file_atomic(path, b.p, b.len, &err) < 0) logmsg("%s", err.msg);
  sb_free(&b);
}

static void broadcast(monitor *m, int type, const char *data, size_t len)
{
  for (int k = 0; k < MAX_CLIENTS; k++) {
    client *c = &m->clients[k];
    if (c->fd < 0 || !c->attach || c->closing) continue;
    if (type != FRAME_EXIT && !c->want[type]) continue;
    if (!client_frame(c, type, data, (uint32_t)len)) {
      logmsg("dropping an attach client that stopped reading");
      client_free(c);
    }
  }
}

static char out_buf[65536] __attribute__((aligned(4096)));

/* Read what the container wrote on one stream: 1 data, 0 nothing now, -1 end of stream. */
static int pump_output(monitor *m, int *fd, int stream)
{
  char *buf = out_buf;
  if (*fd < 0) return -1;
  ssize_t n = read(*fd, buf, sizeof out_buf);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return 0;
  if (n <= 0) { /* EOF, or EIO from a pty whose other side closed */
    if (m->have_log) logfile_flush(&m->log, stream);
    close(*fd);
    *fd = -1;
    return -1;
  }
  m->busy = true;
  if (m->have_log) logfile_feed(&m->log, stream, buf, (size_t)n);
  broadcast(m, stream ? FRAME_STDERR : FRAME_STDOUT, buf, (size_t)n);
  return 1;
}

/* Read once, or until nothing is left when the writer hung up. */
static void drain(monitor *m, int *fd, int stream, bool all)
{
  while (pump_output(m, fd, stream) == 1 && all) {}
}

static int spawn(monitor *m, berr_t *err)
{
  if (container_spawn(&m->spec, m->have_cg ? &m->cg : NULL, m->o->open_stdin, &m->proc, err) < 0) return -1;
  /* its interfaces, in the namespace just made (read again: connect and disconnect change the file) */
  if (m->o->network &&
      (net_load(&m->net, m->o->network, err) < 0 || net_links_up(&m->net, m->proc.pid, NULL, err) < 0)) {
    net_links_down(&m->net, 0, NULL);
    kill(m->proc.pid, SIGKILL);
    while (waitpid(m->proc.pid, NULL, 0) < 0 && errno == EINTR) {}
    container_close(&m->proc);
    m->proc.pid = 0;
    return -1;
  }
  set_nonblock(m->proc.out_fd, true);
  if (m->proc.err_fd >= 0) set_nonblock(m->proc.err_fd, true);
  if (m->proc.in_fd >= 0) set_nonblock(m->proc.in_fd, true);
  m->alive = true;
  m->reaped = false;
  m->started = false;
  m->oom_before = m->have_cg ? cgroup_oom_kills(&m->cg) : 0;
  return 0;
}

int monitor_release(monitor *m, berr_t *err)
{
  if (container_release(&m->proc, err) < 0) {
    m->no_restart = true;
    m->exit_code = err->status;
    snprintf(m->error, sizeof m->error, "%s", err->msg);
    return -1;
  }
  m->started = true;
  m->started_mono = monotonic_ms();
  now_rfc3339nano(m->started_at);
  snprintf(m->finished_at, sizeof m->finished_at, BERTH_ZERO_TIME);
  m->status = "running";
  m->error[0] = 0;
  m->busy = true; /* what setting up touched is trimmed once the container has been quiet */
  monitor_write_state(m);
  return 0;
}

static void run_exit_command(monitor *m)
{
  if (!m->o->exit_argv || !m->o->exit_argv[0]) return;
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    execv(m->o->exit_argv[0], (char *const *)m->o->exit_argv);
    _exit(127);
  }
  if (pid > 0) {
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {}
  }
}

/* The exit command removed the container (--rm): its runtime state goes too,
 * as the very last step, so a state directory exists exactly as long as a
 * monitor may still act on the container. */
static void remove_state_if_removed(monitor *m)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/config.json", m->o->bundle);
  if (access(path, F_OK) == 0 || errno != ENOENT) return;
  static const char *const files[] = {BERTH_MONITOR_STATE_FILE, "monitor.pid", "monitor.log"};
  for (size_t k = 0; k < sizeof files / sizeof files[0]; k++) {
    snprintf(path, sizeof path, "%s/%s", m->o->state_dir, files[k]);
    unlink(path);
  }
  rmdir(m->o->state_dir);
}

void monitor_finalize(monitor *m)
{
  /* before the state says "exited": a new start of the container must find its names and ports free */
  if (m->o->network) net_teardown(&m->net);
  /* the log is complete before anyone can read the state as exited */
  if (m->have_log) logfile_close(&m->log);
  m->status = "exited";
  monitor_write_state(m);
  strbuf exitj;
  sb_init(&exitj);
  sb_printf(&exitj, "{\"exitCode\":%d,\"oomKilled\":%s}", m->exit_code, m->oom ? "true" : "false");
  broadcast(m, FRAME_EXIT, exitj.p, exitj.len);
  sb_free(&exitj);
  /* a client that takes over the cleanup and got the exit frame makes the exit command unneeded */
  bool cleaned_by_client = false;
  for (int k = 0; k < MAX_CLIENTS; k++) {
    client *c = &m->clients[k];
    if (c->fd < 0) continue;
    struct timeval tv = {2, 0};
    setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    set_nonblock(c->fd, false);
    bool delivered = !c->outlen || write_all(c->fd, c->out, c->outlen) >= 0;
    if (c->attach && c->cleanup && delivered) cleaned_by_client = true;
    client_free(c);
  }
  unlink(sock_path);
  if (m->have_cg) cgroup_destroy(&m->cg);
  if (!cleaned_by_client) run_exit_command(m);
  logmsg("container %s exited with %d", m->o->id, m->exit_code);
  remove_state_if_removed(m);
  _exit(0);
}

/* The container's init is gone and its output drained: restart or finish. */
static void container_done(monitor *m)
{
  container_close(&m->proc);
  m->alive = false;
  /* the namespace went with the process; the host ends of its veth pairs go now (a restart makes them anew) */
  if (m->o->network) {
    berr_t err = {0};
    if (net_load(&m->net, m->o->network, &err) < 0) logmsg("%s", err.msg);
    net_links_down(&m->net, 0, NULL);
  }
  int st = m->wait_status;
  if (m->started || m->exit_code == 0) m->exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  if (m->have_cg && cgroup_oom_kills(&m->cg) > m->oom_before) m->oom = true;
  now_rfc3339nano(m->finished_at);
  m->kill_at = 0;
  int64_t ran = m->started ? monotonic_ms() - m->started_mono : 0;
  if (!m->no_restart && m->started && restart_should(&m->restart, m->exit_code, m->restart_count, m->stopped_by_user)) {
    m->backoff_ms = restart_backoff(m->backoff_ms, ran);
    m->restart_at = monotonic_ms() + m->backoff_ms;
    m->status = "restarting";
    monitor_write_state(m);
    logmsg("restarting %s in %lld ms (exit %d)", m->o->id, (long long)m->backoff_ms, m->exit_code);
    return;
  }
  monitor_finalize(m);
}

static void do_restart(monitor *m)
{
  berr_t err = {0};
  m->restart_at = 0;
  m->restart_count++;
  m->oom = false;
  if (spawn(m, &err) < 0 || monitor_release(m, &err) < 0) {
    snprintf(m->error, sizeof m->error, "%s", err.msg);
    if (!m->exit_code) m->exit_code = err.status ? err.status : 125;
    logmsg("restart failed: %s", err.msg);
    if (m->alive) return; /* exec failed: the child exits and is reaped */
    monitor_finalize(m);
  }
}

static void reap(monitor *m)
{
  for (;;) {
    int st;
    pid_t pid = waitpid(-1, &st, WNOHANG);
    if (pid <= 0) return;
    if (m->alive && pid == m->proc.pid) {
      m->wait_status = st;
      m->reaped = true;
      m->reaped_at = monotonic_ms();
    }
  }
}

static void loop(monitor *m)
{
  for (;;) {
    struct pollfd pf[MAX_CLIENTS + 5];
    int np = 0;
    pf[np++] = (struct pollfd){m->sig_fd, POLLIN, 0};
    pf[np++] = (struct pollfd){m->listen_fd, POLLIN, 0};
    int out_i = -1, err_i = -1, in_i = -1;
    if (m->alive && m->started && m->proc.out_fd >= 0)
      out_i = np, pf[np++] = (struct pollfd){m->proc.out_fd, POLLIN, 0};
    if (m->alive && m->started && m->proc.err_fd >= 0)
      err_i = np, pf[np++] = (struct pollfd){m->proc.err_fd, POLLIN, 0};
    if (m->stdin_len && m->proc.in_fd >= 0) in_i = np, pf[np++] = (struct pollfd){m->proc.in_fd, POLLOUT, 0};
    int first_client = np;
    for (int k = 0; k < MAX_CLIENTS; k++) {
      client *c = &m->clients[k];
      pf[np++] = (struct pollfd){c->fd, (short)(c->fd >= 0 ? POLLIN | (c->outlen ? POLLOUT : 0) : 0), 0};
    }
    int64_t now = monotonic_ms(), timeout = -1;
    int64_t deadlines[3] = {m->restart_at, m->kill_at, m->reaped ? m->reaped_at + 2000 : 0};
    for (int k = 0; k < 3; k++)
      if (deadlines[k] && (timeout < 0 || deadlines[k] - now < timeout))
        timeout = deadlines[k] > now ? deadlines[k] - now : 0;
    if (m->busy && (timeout < 0 || timeout > IDLE_TRIM_MS)) timeout = IDLE_TRIM_MS;
    int ready = poll(pf, (nfds_t)np, (int)timeout);
    if (ready < 0 && errno != EINTR) {
      logmsg("poll: %s", errno_text(errno));
      continue;
    }
    if (ready == 0 && m->busy) {
      /* quiet for a while after output: the buffers' pages go back, so an idle monitor stays small */
      trim_memory(out_buf, sizeof out_buf);
      if (m->have_log) logfile_trim(&m->log);
      m->busy = false;
    }
    now = monotonic_ms();
    if (pf[0].revents) {
      struct signalfd_siginfo si;
      while (read(m->sig_fd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGCHLD)
          reap(m);
        else if (si.ssi_signo == SIGTERM && m->alive && m->started && !m->reaped)
          kill(m->proc.pid, SIGTERM);
      }
    }
    if (out_i >= 0 && pf[out_i].revents) drain(m, &m->proc.out_fd, 0, pf[out_i].revents & (POLLHUP | POLLERR));
    if (err_i >= 0 && pf[err_i].revents) drain(m, &m->proc.err_fd, 1, pf[err_i].revents & (POLLHUP | POLLERR));
    if (in_i >= 0 && pf[in_i].revents) control_flush_stdin(m);
    if (pf[1].revents & POLLIN) {
      for (;;) {
        int fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) break;
        int slot = -1;
        for (int k = 0; k < MAX_CLIENTS && slot < 0; k++)
          if (m->clients[k].fd < 0) slot = k;
        if (slot < 0) {
          close(fd);
          continue;
        }
        client_init(&m->clients[slot], fd);
      }
    }
    for (int k = 0; k < MAX_CLIENTS; k++) {
      client *c = &m->clients[k];
      short ev = pf[first_client + k].revents;
      if (c->fd < 0 || c->fd != pf[first_client + k].fd || !ev) continue;
      if (ev & POLLIN) control_client_read(m, c);
      if (c->fd >= 0 && (ev & (POLLOUT | POLLHUP | POLLERR))) {
        if (!client_flush(c) || (ev & POLLERR)) client_free(c);
      }
      if (c->fd >= 0 && c->closing && !c->outlen) client_free(c);
    }
    for (int k = 0; k < MAX_CLIENTS; k++) {
      client *c = &m->clients[k];
      if (c->fd >= 0 && c->outlen && !client_flush(c)) client_free(c);
      if (c->fd >= 0 && c->closing && !c->outlen) client_free(c);
    }
    if (m->kill_at && now >= m->kill_at) {
      if (m->alive && !m->reaped) kill(m->proc.pid, SIGKILL); /* a reaped pid may be reused */
      m->kill_at = 0;
    }
    if (m->restart_at && now >= m->restart_at) do_restart(m);
    /* done when reaped and the output is drained (or 2 s passed, if something outside holds the pipes) */
    if (m->alive && m->reaped &&
        ((m->proc.out_fd < 0 && m->proc.err_fd < 0) || now >= m->reaped_at + 2000 || !m->started)) {
      drain(m, &m->proc.out_fd, 0, true);
      drain(m, &m->proc.err_fd, 1, true);
      container_done(m);
    }
  }
}

/* The grandchild: becomes the monitor. Reports "ok" or "error ..." on ready_fd. */
static void become_monitor(const monitor_opts *o, int ready_fd)
{
  static monitor mon;
  monitor *m = &mon;
  m->o = o;
  m->restart = o->restart;
  m->status = "created";
  snprintf(m->started_at, sizeof m->started_at, BERTH_ZERO_TIME);
  snprintf(m->finished_at, sizeof m->finished_at, BERTH_ZERO_TIME);
  for (int k = 0; k < MAX_CLIENTS; k++) m->clients[k].fd = -1;
  berr_t err = {0};
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/monitor.log", o->state_dir);
  log_open(path);
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  int devnull = open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    if (devnull > 2) close(devnull);
  }
  signal(SIGPIPE, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigprocmask(SIG_BLOCK, &set, NULL);
  m->sig_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  char pidbuf[32];
  int pn = snprintf(pidbuf, sizeof pidbuf, "%d\n", (int)getpid());
  snprintf(path, sizeof path, "%s/monitor.pid", o->state_dir);
  if (write_file_atomic(path, pidbuf, (size_t)pn, &err) < 0) goto failed;
  if (spec_load(&m->spec, o->bundle, &err) < 0) goto failed;
  /* the published ports: held (a taken one fails the start here, before anything is made), then forwarded */
  if (o->network &&
      (net_load(&m->net, o->network, &err) < 0 || net_hold_ports(&m->net, &err) < 0 || net_run_up(&m->net, &err) < 0))
    goto failed;
  if (o->log_path) {
    if (logfile_open(&m->log, o->log_path, o->log_max_size, o->log_max_file) < 0) {
      fail_errno(&err, "open the log %s", o->log_path);
      goto failed;
    }
    m->have_log = true;
  }
  snprintf(sock_path, sizeof sock_path, "%s/" BERTH_MONITOR_CONTROL_SOCKET, o->state_dir);
  m->listen_fd = control_listen(sock_path, &err);
  if (m->listen_fd < 0) goto failed;
  if (m->spec.cgroups_path) {
    if (cgroup_open(&m->cg, m->spec.cgroups_path, true, &err) < 0) goto failed;
    m->have_cg = true;
    if (cgroup_apply(&m->cg, &m->spec.res, &err) < 0) goto failed;
  }
  if (spawn(m, &err) < 0) goto failed;
  monitor_write_state(m);
  write_all(ready_fd, "ok\n", 3);
  close(ready_fd);
  loop(m);
failed:
  logmsg("create failed: %s", err.msg);
  if (o->network) net_teardown(&m->net);
  char msg[600];
  int n = snprintf(msg, sizeof msg, "error %s\n", err.msg);
  write_all(ready_fd, msg, (size_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1));
  unlink(sock_path);
  if (m->have_cg) cgroup_destroy(&m->cg);
  _exit(1);
}

int monitor_create(const monitor_opts *o)
{
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) < 0) {
    fprintf(stderr, "berth-monitor: pipe: %s\n", errno_text(errno));
    return 1;
  }
  pid_t pid = fork();
  if (pid < 0) {
    fprintf(stderr, "berth-monitor: fork: %s\n", errno_text(errno));
    return 1;
  }
  if (pid == 0) {
    close(ready[0]);
    setsid();
    pid_t pid2 = fork();
    if (pid2 < 0) _exit(1);
    if (pid2 > 0) _exit(0);
    become_monitor(o, ready[1]);
    _exit(0);
  }
  close(ready[1]);
  waitpid(pid, NULL, 0);
  char buf[700];
  size_t n = 0;
  /* one line; not EOF, since the created container holds the pipe until it execs */
  while (n < sizeof buf - 1 && !memchr(buf, '\n', n)) {
    ssize_t r = read(ready[0], buf + n, sizeof buf - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
  }
  buf[n] = 0;
  if (!strncmp(buf, "ok", 2)) return 0;
  char *nl = strchr(buf, '\n');
  if (nl) *nl = 0;
  fprintf(stderr, "berth-monitor: %s\n",
          n ? (strncmp(buf, "error ", 6) ? buf : buf + 6) : "the monitor died while creating the container");
  return 1;
}
