#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "process.h"
#include "rootfs.h"
#include "sealed.h"

/* Status channel: 'R' ready; 'E<status> <msg>' setup failed; 'X<status> <msg>' exec failed. */
static void report(int fd, char kind, const berr_t *err)
{
  char buf[600];
  int n = snprintf(buf, sizeof buf, "%c%d %s", kind, err ? err->status : 0, err ? err->msg : "");
  write_all(fd, buf, (size_t)(n < (int)sizeof buf ? n : (int)sizeof buf - 1));
}

static int send_fd(int sock, int fd)
{
  char dummy = 'M';
  struct iovec iov = {.iov_base = &dummy, .iov_len = 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  memset(&u, 0, sizeof u);
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  return sendmsg(sock, &msg, 0) < 0 ? -1 : 0;
}

static int recv_fd(int sock)
{
  char dummy;
  struct iovec iov = {.iov_base = &dummy, .iov_len = 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u;
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf};
  if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0) return -1;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return -1;
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return fd;
}

/* Exec the program through the sealed copy (container_exec_hop): this process runs the host's file, and an
 * exec of a `#!/proc/self/exe` script would run that file inside the container. */
static void exec_hop(int sealed, int status_fd, const char *exe, const char **args, const char **env, berr_t *err)
{
  size_t n = 0;
  while (args[n]) n++;
  char fdnum[16];
  snprintf(fdnum, sizeof fdnum, "%d", status_fd);
  const char **argv = xmalloc((n + 6) * sizeof(char *));
  argv[0] = "berth-monitor";
  argv[1] = "execve";
  argv[2] = fdnum;
  argv[3] = exe;
  argv[4] = "--";
  memcpy(argv + 5, args, (n + 1) * sizeof(char *));
  set_cloexec(status_fd, false);
  exec_sealed(sealed, (char *const *)argv, (char *const *)env, err);
}

int container_exec_hop(int argc, char **argv)
{
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (argc < 6 || strcmp(argv[4], "--")) {
    fprintf(stderr, "usage: berth-monitor execve STATUS_FD PATH -- ARG0 [ARG...]\n");
    return 125;
  }
  int status_fd = atoi(argv[2]);
  set_cloexec(status_fd, true);
  berr_t err = {0};
  extern char **environ;
  exec_program(argv[3], argv[5], argv + 5, environ, &err);
  report(status_fd, 'X', &err);
  return err.status ? err.status : 125;
}

static int loopback_up(berr_t *err)
{
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return fail_errno(err, "socket");
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  snprintf(ifr.ifr_name, IFNAMSIZ, "lo");
  int r = ioctl(s, SIOCGIFFLAGS, &ifr);
  if (r == 0) {
    ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
    r = ioctl(s, SIOCSIFFLAGS, &ifr);
  }
  int e = errno;
  close(s);
  errno = e;
  return r < 0 ? fail_errno(err, "bring up the loopback interface") : 0;
}

static int join_namespaces(const spec_t *s, berr_t *err)
{
  for (int k = 0; k < NS_COUNT; k++) {
    if (!s->ns_paths[k]) continue;
    int fd = open(s->ns_paths[k], O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail_errno(err, "open namespace %s", s->ns_paths[k]);
    int r = setns(fd, NS_FLAGS[k]);
    close(fd);
    if (r < 0) return fail_errno(err, "join namespace %s", s->ns_paths[k]);
  }
  return 0;
}

static int write_sysctls(const spec_t *s, berr_t *err)
{
  for (size_t k = 0; k < s->nsysctl; k++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "/proc/sys/%s", s->sysctl_keys[k]);
    for (char *p = path + 10; *p; p++)
      if (*p == '.') *p = '/';
    if (write_file(path, s->sysctl_vals[k], err) < 0) return -1;
  }
  return 0;
}

/* In the child: everything up to the release, then exec. Never returns. */
static void child_main(const spec_t *s, cgroup_t *cg, int sealed, int status_fd, int start_fd, int console_sock,
                       int in_r, int out_w, int err_w)
{
  berr_t err = {0};
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  /* nothing in the container may ptrace or open /proc/<pid>/ of this process before it execs */
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  /* joined from inside, before anything runs in it (see cgroup_join_self) */
  if (cg && cgroup_join_self(cg, &err) < 0) goto setup_failed;
  /* the cgroup namespace is made once in the container's cgroups, so they are its root ("/") */
  if ((s->ns_flags & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0) {
    fail_errno(&err, "make the cgroup namespace");
    goto setup_failed;
  }
  int master = -1, slave = -1;
  /* the program starts with default signal handling and nothing blocked */
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
  for (int sig = 1; sig < NSIG; sig++)
    if (sig != SIGKILL && sig != SIGSTOP) signal(sig, SIG_DFL);
  if (join_namespaces(s, &err) < 0) goto setup_failed;
  if (rootfs_setup(s, &master, &slave, &err) < 0) goto setup_failed;
  if (s->terminal) {
    if (send_fd(console_sock, master) < 0) {
      fail_errno(&err, "pass the console to the monitor");
      goto setup_failed;
    }
    close(master);
  }
  if (s->hostname && (s->ns_flags & CLONE_NEWUTS) && sethostname(s->hostname, strlen(s->hostname)) < 0) {
    fail_errno(&err, "sethostname %s", s->hostname);
    goto setup_failed;
  }
  if ((s->ns_flags & CLONE_NEWNET) && loopback_up(&err) < 0) goto setup_failed;
  if (write_sysctls(s, &err) < 0) goto setup_failed;
  if (s->has_oom_score_adj) {
    char v[16];
    snprintf(v, sizeof v, "%d", s->oom_score_adj);
    if (write_file("/proc/self/oom_score_adj", v, &err) < 0) goto setup_failed;
  }
  if (apply_rlimits(s, &err) < 0) goto setup_failed;
  /* the working directory exists before the user switch, as docker creates it */
  if (mkdir_p(s->cwd, 0755) < 0) {
    fail_errno(&err, "create the working directory %s", s->cwd);
    goto setup_failed;
  }
  setsid();
  if (s->terminal) {
    if (ioctl(slave, TIOCSCTTY, 0) < 0) {
      fail_errno(&err, "make the pty the controlling terminal");
      goto setup_failed;
    }
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    if (slave > 2) close(slave);
  } else {
    dup2(in_r, 0);
    dup2(out_w, 1);
    dup2(err_w, 2);
  }
  report(status_fd, 'R', NULL);
  char go;
  if (read(start_fd, &go, 1) != 1) _exit(1); /* the monitor went away */
  close(start_fd);
  proc_identity id = {s->uid,           s->gid,           s->groups,          s->ngroups,     s->cap_bounding,
                      s->cap_effective, s->cap_permitted, s->cap_inheritable, s->cap_ambient, s->no_new_privileges};
  /* seccomp as late as it can be: without no_new_privs it needs CAP_SYS_ADMIN, so before the identity */
  if (!s->no_new_privileges && seccomp_install(s->seccomp, &err) < 0) goto exec_failed;
  if (apply_identity(&id, &err) < 0) goto exec_failed;
  if (chdir(s->cwd) < 0) {
    fail_errno(&err, "chdir to the working directory %s", s->cwd);
    goto exec_failed;
  }
  char exe[PATH_MAX];
  if (find_executable(s->args[0], s->env, exe, sizeof exe, &err) < 0) goto exec_failed;
  /* every descriptor but 0-2 and the status channel closes here; the channel closes on the program's exec */
  syscall(SYS_close_range, 3, ~0U, 4 /* CLOSE_RANGE_CLOEXEC */);
  if (s->no_new_privileges && seccomp_install(s->seccomp, &err) < 0) goto exec_failed;
  exec_hop(sealed, status_fd, exe, s->args, s->env, &err);
exec_failed:
  report(status_fd, 'X', &err);
  _exit(err.status ? err.status : 125);
setup_failed:
  report(status_fd, 'E', &err);
  _exit(125);
}

static int read_status(int fd, char *buf, size_t len)
{
  size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, buf + n, len - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
    if (buf[0] == 'R' || n >= len - 1) break;
  }
  buf[n] = 0;
  return (int)n;
}

static int parse_status(const char *buf, berr_t *err)
{
  int status = atoi(buf + 1);
  const char *msg = strchr(buf, ' ');
  err->status = status ? status : 125;
  return fail(err, EIO, "%s", msg ? msg + 1 : "container setup failed");
}

int container_spawn(const spec_t *s, cgroup_t *cg, bool open_stdin, ctr_proc *p, berr_t *err)
{
  memset(p, 0, sizeof *p);
  p->out_fd = p->err_fd = p->in_fd = p->status_fd = p->start_fd = -1;
  int st[2], go[2], in[2] = {-1, -1}, out[2] = {-1, -1}, er[2] = {-1, -1}, cons[2] = {-1, -1};
  if (pipe2(st, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) return fail_errno(err, "pipe");
  if (s->terminal) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, cons) < 0) return fail_errno(err, "socketpair");
  } else {
    if (pipe2(out, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0) return fail_errno(err, "pipe");
    if (open_stdin) {
      if (pipe2(in, O_CLOEXEC) < 0) return fail_errno(err, "pipe");
    } else if ((in[0] = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
      return fail_errno(err, "open /dev/null");
    }
  }
  /* the program is exec'd from this sealed copy (exec_hop); it goes away with that exec */
  int sealed = sealed_copy(err);
  if (sealed < 0) return -1;
  unsigned long flags = (unsigned long)(s->ns_flags & ~CLONE_NEWCGROUP) | SIGCHLD; /* cgroup: in child_main */
  pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
  if (pid < 0) {
    close(sealed);
    return fail_errno(err, "clone the container process");
  }
  if (pid == 0) {
    close(st[0]);
    close(go[1]);
    child_main(s, cg, sealed, st[1], go[0], cons[1], in[0], out[1], er[1]);
  }
  close(sealed);
  close(st[1]);
  close(go[0]);
  if (cons[1] >= 0) close(cons[1]);
  if (in[0] >= 0) close(in[0]);
  if (out[1] >= 0) close(out[1]);
  if (er[1] >= 0) close(er[1]);
  p->pid = pid;
  p->start_time = proc_starttime(pid); /* our child, not reaped: the pid is still its own */
  p->status_fd = st[0];
  p->start_fd = go[1];
  p->tty = s->terminal;
  if (s->terminal) {
    int master = recv_fd(cons[0]);
    close(cons[0]);
    if (master < 0) {
      char buf[600];
      if (read_status(st[0], buf, sizeof buf) > 0 && buf[0] == 'E') {
        parse_status(buf, err);
        goto failed;
      }
      fail(err, EIO, "the container did not pass its console");
      goto failed;
    }
    p->out_fd = master;
    p->in_fd = dup(master);
    set_cloexec(p->in_fd, true);
  } else {
    p->out_fd = out[0];
    p->err_fd = er[0];
    p->in_fd = in[1];
  }
  char buf[600];
  int n = read_status(st[0], buf, sizeof buf);
  if (n <= 0) {
    fail(err, EIO, "the container process died while being set up");
    goto failed;
  }
  if (buf[0] != 'R') {
    parse_status(buf, err);
    goto failed;
  }
  return 0;
failed:
  kill(pid, SIGKILL);
  waitpid(pid, NULL, 0);
  container_close(p);
  p->pid = 0;
  return -1;
}

int container_release(ctr_proc *p, berr_t *err)
{
  if (write_all(p->start_fd, "S", 1) < 0) return fail_errno(err, "release the container");
  close(p->start_fd);
  p->start_fd = -1;
  char buf[600];
  int n = read_status(p->status_fd, buf, sizeof buf);
  close(p->status_fd);
  p->status_fd = -1;
  if (n <= 0) return 0; /* closed by exec: the program runs */
  return parse_status(buf, err);
}

void container_close(ctr_proc *p)
{
  int *fds[] = {&p->out_fd, &p->err_fd, &p->in_fd, &p->status_fd, &p->start_fd};
  for (size_t k = 0; k < sizeof fds / sizeof fds[0]; k++) {
    if (*fds[k] >= 0) close(*fds[k]);
    *fds[k] = -1;
  }
}
