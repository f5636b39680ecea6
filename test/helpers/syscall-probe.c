/*
 * A static probe that test/integration/seccomp.test.ts builds and runs inside containers: it makes the
 * syscalls that docker's seccomp profile denies and prints one "name=result" line each ("ok", or the
 * errno's name). Arguments are chosen so that, without a filter, an unprivileged root gets something other
 * than EPERM where the kernel allows it (user-mode-only userfaultfd, a software perf event of itself).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *name, long r, int e)
{
  printf("%s=%s\n", name, r >= 0 ? "ok" : strerrorname_np(e));
}

/* in a child, so that a success does not change the probe itself */
static void in_child(const char *name, long (*fn)(void))
{
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    long r = fn();
    _exit(r >= 0 ? 0 : errno);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  int code = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
  report(name, code ? -1 : 0, code);
}

static long do_unshare(void) { return unshare(CLONE_NEWUSER); }

static long do_clone(void)
{
  long r = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0);
  if (r == 0) _exit(0);
  if (r > 0) waitpid((pid_t)r, NULL, 0);
  return r;
}

int main(void)
{
  long r;
  r = syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 1);
  report("keyctl", r, errno);
  char attr[128];
  memset(attr, 0, sizeof attr);
  r = syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof attr);
  report("bpf", r, errno);
  r = syscall(SYS_userfaultfd, 1 /* UFFD_USER_MODE_ONLY */);
  report("userfaultfd", r, errno);
  struct perf_event_attr pe;
  memset(&pe, 0, sizeof pe);
  pe.size = sizeof pe;
  pe.type = PERF_TYPE_SOFTWARE;
  pe.config = PERF_COUNT_SW_TASK_CLOCK;
  pe.exclude_kernel = 1;
  pe.exclude_hv = 1;
  r = syscall(SYS_perf_event_open, &pe, 0, -1, -1, 0);
  report("perf_event_open", r, errno);
  r = syscall(SYS_personality, 0xffffffffUL);
  report("personality_query", r, errno);
  r = syscall(SYS_personality, (unsigned long)ADDR_NO_RANDOMIZE);
  report("personality_no_randomize", r, errno);
  r = socket(40 /* AF_VSOCK */, SOCK_STREAM, 0);
  report("socket_vsock", r, errno);
  r = socket(AF_UNIX, SOCK_STREAM, 0);
  report("socket_unix", r, errno);
  in_child("unshare_user", do_unshare);
  in_child("clone_newuser", do_clone);
  return 0;
}
