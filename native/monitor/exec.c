#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "cgroup.h"
#include "process.h"
#include "spec.h"

static struct termios saved_tio;
static bool tio_saved;

static void restore_tty(void)
{
  if (tio_saved) tcsetattr(0, TCSADRAIN, &saved_tio);
  tio_saved = false;
}

static int die(const berr_t *err)
{
  restore_tty();
  fprintf(stderr, "%s\n", err->msg);
  return err->status ? err->status : 125;
}

/* env: the bundle's, overridden and extended by extra */
static const char **merge_env(const char **base, const char **extra)
{
  size_t nb = 0, ne = 0;
  while (base && base[nb]) nb++;
  while (extra && extra[ne]) ne++;
  const char **out = xmalloc((nb + ne + 1) * sizeof(char *));
  size_t n = 0;
  for (size_t k = 0; k < nb; k++) {
    size_t klen = strcspn(base[k], "=");
    bool overridden = false;
    for (size_t j = 0; j < ne; j++)
      if (!strncmp(extra[j], base[k], klen) && extra[j][klen] == '=') overridden = true;
    if (!overridden) out[n++] = base[k];
  }
  for (size_t j = 0; j < ne; j++) out[n++] = extra[j];
  out[n] = NULL;
  return out;
}

static int parse_user(const char *s, proc_identity *id, berr_t *err)
{
  char *end;
  id->uid = (uid_t)strtoul(s, &end, 10);
  if (end == s) return fail(err, EINVAL, "--user needs numeric uid[:gid[:groups]], got %s", s);
  if (*end == ':') {
    const char *g = end + 1;
    id->gid = (gid_t)strtoul(g, &end, 10);
    if (*end == ':') {
      static gid_t groups[64];
      size_t n = 0;
      for (char *p = end + 1; *p && n < 64;) {
        groups[n++] = (gid_t)strtoul(p, &end, 10);
        p = *end == ',' ? end + 1 : end;
        if (end == p && *p) break;
      }
      id->groups = groups;
      id->ngroups = n;
    }
  }
  return 0;
}

/* The container's init is still pid (same start time, when known), not a process that got its pid since. */
static int same_process(pid_t pid, unsigned long long start, berr_t *err)
{
  if (!start || proc_starttime(pid) == start) return 0;
  err->status = 125;
  return fail(err, ESRCH, "container process %d is not running (its pid belongs to another process now)", (int)pid);
}

#define JOIN_NS (CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWCGROUP)

static int join_container(pid_t pid, unsigned long long start, const char *cgpath, berr_t *err)
{
  /* a handle on the process itself, taken before its identity is checked: what is joined is that
   * process's, even if it exits and its pid goes to someone else meanwhile */
  autoclose int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
  if (pidfd < 0 && errno != ENOSYS) {
    err->status = 125;
    return fail_errno(err, "container process %d is not running", (int)pid);
  }
  if (same_process(pid, start, err) < 0) return -1;
  if (cgpath && *cgpath) {
    cgroup_t cg;
    if (cgroup_open(&cg, cgpath, false, err) < 0 || cgroup_join_self(&cg, err) < 0) return -1;
  }
  if (pidfd >= 0 && setns(pidfd, JOIN_NS) == 0) {
    if (chdir("/") < 0) return fail_errno(err, "chdir /");
    return 0;
  }
  if (pidfd >= 0 && errno != EINVAL) return fail_errno(err, "join the container's namespaces");
  /* kernels before 5.8 (no setns on a pidfd): its namespace files, then the check again, so they were its */
  static const char *const names[] = {"ipc", "uts", "net", "pid", "mnt", "cgroup"};
  int fds[6];
  for (int k = 0; k < 6; k++) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid, names[k]);
    fds[k] = open(path, O_RDONLY | O_CLOEXEC);
    if (fds[k] < 0) {
      err->status = 125;
      return fail_errno(err, "container process %d is not running (%s)", (int)pid, path);
    }
  }
  if (same_process(pid, start, err) < 0) return -1;
  for (int k = 0; k < 6; k++) {
    if (setns(fds[k], 0) < 0) return fail_errno(err, "join the container's %s namespace", names[k]);
    close(fds[k]);
  }
  if (chdir("/") < 0) return fail_errno(err, "chdir /");
  return 0;
}

/* the size file (--winsize-file), opened before joining the container's mount namespace */
static int winsize_fd = -1;

static void copy_winsize(int master)
{
  struct winsize ws;
  if (winsize_fd >= 0) {
    char buf[64];
    ssize_t n = pread(winsize_fd, buf, sizeof buf - 1, 0);
    unsigned rows = 0, cols = 0;
    if (n > 0) {
      buf[n] = 0;
      if (sscanf(buf, "%u %u", &rows, &cols) == 2 && rows > 0 && cols > 0 && rows < 65536 && cols < 65536) {
        memset(&ws, 0, sizeof ws);
        ws.ws_row = (unsigned short)rows;
        ws.ws_col = (unsigned short)cols;
        ioctl(master, TIOCSWINSZ, &ws);
      }
    }
    return;
  }
  if (ioctl(0, TIOCGWINSZ, &ws) == 0 || ioctl(1, TIOCGWINSZ, &ws) == 0) ioctl(master, TIOCSWINSZ, &ws);
}

/*
 * The terminal of `exec` went away (a hangup: SIGHUP, or a raw terminal that
 * reads as ended). A dropped `docker exec -it` or `podman exec -it` client
 * leaves the process running, its terminal open and unread; so does this: a
 * keeper process (in a session of its own, its stdio on /dev/null) holds the
 * master and drains it until the process and whatever it started have
 * closed their side, while `exec` ends as a hangup ends a process (129), so
 * that whoever waits for it (the app, the CLI) can go.
 */
static int hang_up(int master)
{
  restore_tty(); /* fails harmlessly when the terminal is gone; restores it after a plain SIGHUP */
  pid_t keeper = fork();
  if (keeper == 0) {
    setsid();
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
    }
    char buf[4096];
    ssize_t n;
    while ((n = read(master, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)) {}
    _exit(0);
  }
  close(master);
  return 128 + SIGHUP;
}

static int proxy(int master, pid_t child)
{
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGWINCH);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, SIGHUP);
  sigprocmask(SIG_BLOCK, &set, NULL);
  int sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (isatty(0) && tcgetattr(0, &saved_tio) == 0) {
    tio_saved = true;
    struct termios raw = saved_tio;
    cfmakeraw(&raw);
    tcsetattr(0, TCSADRAIN, &raw);
  }
  /* a raw terminal has no end-of-file key: when it reads as ended, it hung up */
  const bool raw_in = tio_saved;
  copy_winsize(master);
  bool in_open = true;
  int status = -1;
  char buf[32768];
  for (;;) {
    struct pollfd pf[3] = {{master, POLLIN, 0}, {sfd, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}};
    if (poll(pf, 3, -1) < 0 && errno != EINTR) break;
    if (pf[1].revents) {
      struct signalfd_siginfo si;
      bool hup = false;
      while (read(sfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGWINCH) copy_winsize(master);
        if (si.ssi_signo == SIGHUP) hup = true;
      }
      if (hup) return hang_up(master);
      if (status < 0 && waitpid(child, &status, WNOHANG) <= 0) status = -1;
    }
    if (pf[2].revents) {
      ssize_t n = read(0, buf, sizeof buf);
      if (n > 0)
        write_all(master, buf, (size_t)n);
      else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        if (raw_in) return hang_up(master);
        in_open = false;
      }
    }
    if (pf[0].revents) {
      ssize_t n = read(master, buf, sizeof buf);
      if (n <= 0) break; /* EIO: the last holder of the slave is gone */
      write_all(1, buf, (size_t)n);
    }
  }
  if (status < 0) waitpid(child, &status, 0);
  restore_tty();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int exec_main(const exec_opts *o)
{
  berr_t err = {0};
  /* nothing in the container may ptrace or open /proc/<pid>/ of this process before it execs */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  spec_t s;
  memset(&s, 0, sizeof s);
  if (o->bundle && spec_load(&s, o->bundle, &err) < 0) return die(&err);
  proc_identity id = {s.uid,           s.gid,           s.groups,          s.ngroups, s.cap_bounding,
                      s.cap_effective, s.cap_permitted, s.cap_inheritable, 0,         s.no_new_privileges};
  if (!o->bundle) id.bounding = id.effective = id.permitted = ~0ULL;
  if (o->privileged) {
    id.bounding = id.effective = id.permitted = ~0ULL;
    id.no_new_privileges = false;
  }
  if (o->user && parse_user(o->user, &id, &err) < 0) return die(&err);
  const char **env = merge_env(s.env, o->env);
  const char *cwd = o->cwd ? o->cwd : (s.cwd ? s.cwd : "/");
  if (o->tty && o->winsize_file) {
    winsize_fd = open(o->winsize_file, O_RDONLY | O_CLOEXEC);
    if (winsize_fd < 0) {
      fail_errno(&err, "open %s", o->winsize_file);
      return die(&err);
    }
  }
  if (join_container(o->pid, o->pid_start, o->cgroup, &err) < 0) return die(&err);
  int master = -1;
  char slave_path[64] = "";
  if (o->tty) {
    master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
    int unlock = 0, n = 0;
    if (master < 0 || ioctl(master, TIOCSPTLCK, &unlock) < 0 || ioctl(master, TIOCGPTN, &n) < 0) {
      fail_errno(&err, "open a pty in the container");
      return die(&err);
    }
    snprintf(slave_path, sizeof slave_path, "/dev/pts/%d", n);
    /* the size before the command starts: set later (by the proxy), a command that asks at once
       (`stty size`) could find 0 rows */
    copy_winsize(master);
  }
  int st[2];
  if (pipe2(st, O_CLOEXEC) < 0) {
    fail_errno(&err, "pipe");
    return die(&err);
  }
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGWINCH);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, NULL);
  pid_t child = fork();
  if (child < 0) {
    fail_errno(&err, "fork");
    return die(&err);
  }
  if (child == 0) {
    close(st[0]);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (o->detach) {
      /* this process stays as the exec'd process's parent and reaps it: reparented to the container's
         init instead (which need not reap), it would stay a zombie in the container for good */
      pid_t g = fork();
      if (g > 0) {
        close(st[1]);
        int dn = open("/dev/null", O_RDWR);
        if (dn >= 0) {
          dup2(dn, 0);
          dup2(dn, 1);
          dup2(dn, 2);
          if (dn > 2) close(dn);
        }
        setsid();
        while (waitpid(g, NULL, 0) < 0 && errno == EINTR) {}
        _exit(0);
      }
      if (g < 0) {
        fail_errno(&err, "fork");
        goto failed;
      }
    }
    setsid();
    if (o->tty) {
      int slave = open(slave_path, O_RDWR | O_NOCTTY);
      if (slave < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
        fail_errno(&err, "open %s", slave_path);
        goto failed;
      }
      dup2(slave, 0);
      dup2(slave, 1);
      dup2(slave, 2);
      if (slave > 2) close(slave);
    } else if (o->detach) {
      int dn = open("/dev/null", O_RDWR);
      if (dn >= 0) {
        dup2(dn, 0);
        dup2(dn, 1);
        dup2(dn, 2);
      }
    }
    if (o->bundle && apply_rlimits(&s, &err) < 0) goto failed;
    /* the container's seccomp filter, as late as it can be (see container.c) */
    if (!id.no_new_privileges && seccomp_install(s.seccomp, &err) < 0) goto failed;
    if (apply_identity(&id, &err) < 0) goto failed;
    if (chdir(cwd) < 0) {
      fail_errno(&err, "chdir to the working directory %s", cwd);
      err.status = 125;
      goto failed;
    }
    char exe[PATH_MAX];
    if (find_executable(o->argv[0], env, exe, sizeof exe, &err) < 0) goto failed;
    if (id.no_new_privileges && seccomp_install(s.seccomp, &err) < 0) goto failed;
    exec_program(exe, o->argv[0], o->argv, (char *const *)env, &err);
  failed : {
    char msg[600];
    int n = snprintf(msg, sizeof msg, "%c%s", err.status ? err.status : 125, err.msg);
    write_all(st[1], msg, (size_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1));
    _exit(err.status ? err.status : 125);
  }
  }
  close(st[1]);
  char msg[600];
  ssize_t n = 0, r;
  while ((r = read(st[0], msg + n, sizeof msg - 1 - (size_t)n)) > 0) n += r;
  close(st[0]);
  if (n > 0) {
    msg[n] = 0;
    waitpid(child, NULL, 0);
    fprintf(stderr, "%s\n", msg + 1);
    return (unsigned char)msg[0];
  }
  if (o->detach) return 0; /* the process runs on under its reaper (see above) */
  if (o->tty) return proxy(master, child);
  /* pass terminal signals on to the process */
  sigset_t fwd;
  sigemptyset(&fwd);
  sigaddset(&fwd, SIGINT);
  sigaddset(&fwd, SIGTERM);
  sigaddset(&fwd, SIGHUP);
  sigaddset(&fwd, SIGQUIT);
  sigaddset(&fwd, SIGCHLD);
  sigprocmask(SIG_BLOCK, &fwd, NULL);
  int sfd = signalfd(-1, &fwd, SFD_CLOEXEC);
  for (;;) {
    int status;
    if (waitpid(child, &status, WNOHANG) == child)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    struct signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD) kill(child, (int)si.ssi_signo);
  }
}

int init_main(char **argv)
{
  if (!argv[0]) {
    fprintf(stderr, "berth-monitor init: no command\n");
    return 125;
  }
  sigset_t all;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, NULL);
  int sfd = signalfd(-1, &all, SFD_CLOEXEC);
  pid_t child = fork();
  if (child == 0) {
    setpgid(0, 0);
    /* the command's group takes the terminal (SIGTTOU is still blocked here) */
    if (isatty(0)) tcsetpgrp(0, getpid());
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    berr_t err = {0};
    char exe[PATH_MAX];
    extern char **environ;
    if (find_executable(argv[0], (const char *const *)environ, exe, sizeof exe, &err) < 0) {
      fprintf(stderr, "%s\n", err.msg);
      _exit(err.status);
    }
    execv(exe, argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], errno_text(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  if (child < 0) return 125;
  int code = 0;
  for (;;) {
    struct signalfd_siginfo si;
    if (read(sfd, &si, sizeof si) != sizeof si) continue;
    if (si.ssi_signo != SIGCHLD) {
      kill(child, (int)si.ssi_signo);
      continue;
    }
    int status;
    pid_t p;
    while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
      if (p == child) {
        code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        /* reap what is left, then go */
        while (waitpid(-1, NULL, WNOHANG) > 0) {}
        return code;
      }
    }
  }
}
