#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../monitor/json.h"
#include "berth-constants.h"

int monitor_create(const char *monitor, const char *const *args, berr_t *err)
{
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) < 0) return fail_errno(err, "pipe");
  pid_t pid = fork();
  if (pid < 0) return fail_errno(err, "fork");
  if (pid == 0) {
    dup2(pipefd[1], 2);
    execv(monitor, (char *const *)args);
    fprintf(stderr, "berth-monitor: cannot run %s: %s\n", monitor, strerror(errno));
    _exit(125);
  }
  close(pipefd[1]);
  char buf[4096];
  size_t n = 0;
  for (;;) {
    ssize_t r = read(pipefd[0], buf + n, sizeof buf - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
    if (n == sizeof buf - 1) n = 0; /* keep the tail */
  }
  close(pipefd[0]);
  buf[n] = 0;
  int status;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  while (n && buf[n - 1] == '\n') buf[--n] = 0;
  char *last = strrchr(buf, '\n');
  last = last ? last + 1 : buf;
  if (!strncmp(last, "berth-monitor: ", 15)) last += 15;
  return fail(err, 0, "%s", *last ? last : "the container could not be created");
}

static int ctl_connect(const char *state_dir)
{
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if ((size_t)snprintf(a.sun_path, sizeof a.sun_path, "%s/" BERTH_MONITOR_CONTROL_SOCKET, state_dir) >=
      sizeof a.sun_path)
    return -1;
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int monitor_command(const char *state_dir, const char *line, char *reply, size_t len)
{
  autoclose int fd = ctl_connect(state_dir);
  if (fd < 0 || write_all(fd, line, strlen(line)) < 0 || write_all(fd, "\n", 1) < 0) return -1;
  size_t n = 0;
  for (;;) {
    ssize_t r = read(fd, reply + n, len - 1 - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
    if (memchr(reply, '\n', n) || n == len - 1) break;
  }
  reply[n] = 0;
  reply[strcspn(reply, "\n")] = 0;
  if (!strcmp(reply, "ok") || !strncmp(reply, "ok ", 3)) {
    memmove(reply, reply + (reply[2] ? 3 : 2), strlen(reply + (reply[2] ? 3 : 2)) + 1);
    return 0;
  }
  return n ? 1 : -1;
}

static int read_full(int fd, void *buf, size_t len)
{
  size_t n = 0;
  while (n < len) {
    ssize_t r = read(fd, (char *)buf + n, len - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return -1;
    n += (size_t)r;
  }
  return 0;
}

/* One frame: type and payload (malloc'd, NUL terminated); -1 at the end of the stream. */
static int read_frame(int fd, int *type, char **payload, size_t *len)
{
  unsigned char h[8];
  if (read_full(fd, h, 8) < 0) return -1;
  *type = h[0];
  *len = (size_t)h[4] << 24 | (size_t)h[5] << 16 | (size_t)h[6] << 8 | h[7];
  *payload = xmalloc(*len + 1);
  if (read_full(fd, *payload, *len) < 0) {
    free(*payload);
    return -1;
  }
  (*payload)[*len] = 0;
  return 0;
}

int monitor_attach(const char *state_dir, bool cleanup)
{
  int fd = ctl_connect(state_dir);
  if (fd < 0) return -1;
  const char *line = cleanup ? "attach stdout,stderr,cleanup\n" : "attach stdout,stderr\n";
  if (write_all(fd, line, strlen(line)) < 0) goto failed;
  for (;;) { /* frames until "attached" (6) */
    int type;
    char *p;
    size_t len;
    if (read_frame(fd, &type, &p, &len) < 0) goto failed;
    free(p);
    if (type == 6) return fd;
  }
failed:
  close(fd);
  return -1;
}

int attach_pump(int sock, int sig_fd, void (*on_signal)(int sig, void *ctx), void *ctx, int *code)
{
  int got = 0;
  for (;;) {
    struct pollfd p[2] = {{.fd = sock, .events = POLLIN}, {.fd = sig_fd, .events = POLLIN}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return got;
    }
    if (p[1].revents & POLLIN) {
      unsigned char sig;
      if (read(sig_fd, &sig, 1) == 1) on_signal(sig, ctx);
    }
    if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    int type;
    char *payload;
    size_t len;
    if (read_frame(sock, &type, &payload, &len) < 0) return got;
    if (type == 1 || type == 2) {
      write_all(type, payload, len);
    } else if (type == 3) {
      berr_t err = {0};
      jval *j = json_parse(payload, &err);
      if (j) {
        *code = (int)json_num(json_get(j, "exitCode"), 0);
        got = 1;
        json_free(j);
      }
    }
    free(payload);
  }
}

/* The process is there and not a zombie, with this start time. */
static bool same_process(pid_t pid, unsigned long long start)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  berr_t err = {0};
  autofree char *s = read_file(path, NULL, &err);
  char *p = s ? strrchr(s, ')') : NULL;
  if (!p || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X') return false;
  return proc_starttime(pid) == start;
}

void monitor_wait_gone(const char *state_dir, int ms)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/" BERTH_MONITOR_STATE_FILE, state_dir);
  berr_t err = {0};
  autofree char *text = read_file(path, NULL, &err);
  jval *j = text ? json_parse(text, &err) : NULL;
  if (!j) return;
  pid_t pid = (pid_t)json_num(json_get(j, "monitorPid"), 0);
  unsigned long long start = (unsigned long long)json_num(json_get(j, "monitorStartTime"), 0);
  /* created under its monitor but never released: nothing else will end it (remove.ts monitorSettled) */
  if (!strcmp(json_str(json_get(j, "status"), ""), "created") && pid > 0 && same_process(pid, start)) {
    char reply[256];
    monitor_command(state_dir, "stop 9 0", reply, sizeof reply);
  }
  json_free(j);
  int64_t deadline = monotonic_ms() + ms;
  struct timespec step = {0, 500000};
  while (pid > 0 && same_process(pid, start) && monotonic_ms() < deadline) nanosleep(&step, NULL);
}
