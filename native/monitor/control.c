/*
 * The control socket: the command line each client sends, and the frames an
 * attached client sends (stdin, close stdin, resize). See native/PROTOCOL.md.
 */
#include "monitor-private.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

static void reply(client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(client *c, const char *fmt, ...)
{
  char buf[700];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof buf - 2) n = (int)sizeof buf - 2;
  buf[n++] = '\n';
  client_queue(c, buf, (size_t)n);
  c->closing = true;
}

static void command(monitor *m, client *c, char *line)
{
  char *arg = strchr(line, ' ');
  if (arg) *arg++ = 0;
  berr_t err = {0};
  if (!strcmp(line, "start")) {
    if (!m->alive || m->started || strcmp(m->status, "created"))
      return reply(c, "error container is not in the created state");
    if (monitor_release(m, &err) < 0) return reply(c, "error %d %s", err.status, err.msg);
    return reply(c, "ok %d", (int)m->proc.pid);
  }
  if (!strcmp(line, "kill")) {
    int sig = arg ? atoi(arg) : SIGKILL;
    if (!m->alive || !m->started || m->reaped) return reply(c, "error container is not running");
    if (kill(m->proc.pid, sig) < 0) return reply(c, "error kill: %s", errno_text(errno));
    return reply(c, "ok");
  }
  if (!strcmp(line, "stop") || !strcmp(line, "norestart")) {
    m->stopped_by_user = true;
    if (m->restart_at) { /* waiting to restart: it stays stopped */
      m->restart_at = 0;
      reply(c, "ok");
      client_flush(c);
      monitor_finalize(m);
    }
    if (!strcmp(line, "stop") && m->alive && !m->reaped) {
      int sig = SIGTERM, timeout = 10;
      if (arg) {
        char *end;
        sig = (int)strtol(arg, &end, 10);
        timeout = (int)strtol(end, NULL, 10);
      }
      if (!m->started) sig = SIGKILL;         /* never released: nothing to stop gracefully */
      if (!m->reaped) kill(m->proc.pid, sig); /* a reaped pid may be someone else's by now */
      if (timeout >= 0 && sig != SIGKILL) m->kill_at = monotonic_ms() + (int64_t)timeout * 1000;
    }
    monitor_write_state(m);
    return reply(c, "ok");
  }
  if (!strcmp(line, "policy")) {
    restart_policy p;
    if (!arg || restart_parse(arg, &p) < 0) return reply(c, "error invalid restart policy %s", arg ? arg : "");
    m->restart = p;
    return reply(c, "ok");
  }
  if (!strcmp(line, "attach")) {
    c->attach = true;
    if (!arg) arg = "stdout,stderr";
    c->want[0] = strstr(arg, "stdin") != NULL;
    c->want[1] = strstr(arg, "stdout") != NULL;
    c->want[2] = strstr(arg, "stderr") != NULL;
    c->cleanup = strstr(arg, "cleanup") != NULL;
    /* acknowledge, so the client knows output from now on reaches it */
    client_frame(c, FRAME_ATTACHED, "", 0);
    return;
  }
  reply(c, "error unknown command %s", line);
}

static void stdin_write(monitor *m, const char *data, size_t len)
{
  if (m->proc.in_fd < 0) return;
  m->stdin_buf = xrealloc(m->stdin_buf, m->stdin_len + len);
  memcpy(m->stdin_buf + m->stdin_len, data, len);
  m->stdin_len += len;
}

void control_flush_stdin(monitor *m)
{
  while (m->stdin_len && m->proc.in_fd >= 0) {
    ssize_t n = write(m->proc.in_fd, m->stdin_buf, m->stdin_len);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      m->stdin_len = 0;
      break;
    }
    memmove(m->stdin_buf, m->stdin_buf + n, m->stdin_len - (size_t)n);
    m->stdin_len -= (size_t)n;
  }
  if (!m->stdin_len && m->stdin_close && m->proc.in_fd >= 0 && !m->proc.tty) {
    close(m->proc.in_fd);
    m->proc.in_fd = -1;
    m->stdin_close = false;
  }
}

static void frames(monitor *m, client *c)
{
  size_t off = 0;
  for (;;) {
    int type;
    const char *payload;
    uint32_t len;
    size_t used = frame_parse(c->in + off, c->inlen - off, &type, &payload, &len);
    if (!used) {
      if (c->inlen - off >= 8 && frame_length(c->in + off) > FRAME_MAX_PAYLOAD) {
        logmsg("dropping a client that sent a frame of %u bytes", frame_length(c->in + off));
        return client_free(c);
      }
      break;
    }
    off += used;
    if (type == FRAME_STDIN && c->want[0])
      stdin_write(m, payload, len);
    else if (type == FRAME_CLOSE_STDIN && c->want[0])
      m->stdin_close = true;
    else if (type == FRAME_RESIZE && len >= 4 && m->proc.tty && m->proc.out_fd >= 0) {
      const unsigned char *p = (const unsigned char *)payload;
      struct winsize ws = {.ws_row = (unsigned short)(p[0] << 8 | p[1]), .ws_col = (unsigned short)(p[2] << 8 | p[3])};
      ioctl(m->proc.out_fd, TIOCSWINSZ, &ws);
    }
  }
  memmove(c->in, c->in + off, c->inlen - off);
  c->inlen -= off;
  control_flush_stdin(m);
}

void control_client_input(monitor *m, client *c)
{
  if (!c->attach) {
    char *nl = memchr(c->in, '\n', c->inlen);
    if (!nl) {
      if (c->inlen > CONTROL_LINE_MAX) client_free(c);
      return;
    }
    size_t used = (size_t)(nl - c->in) + 1;
    if (used > CONTROL_LINE_MAX + 1) return client_free(c);
    char line[CONTROL_LINE_MAX + 1];
    memcpy(line, c->in, used - 1);
    line[used - 1] = 0;
    memmove(c->in, c->in + used, c->inlen - used);
    c->inlen -= used;
    command(m, c, line);
  }
  if (c->attach && c->fd >= 0) frames(m, c);
}

void control_client_read(monitor *m, client *c)
{
  if (c->inlen + 65536 > c->incap) {
    c->incap = c->inlen + 65536;
    c->in = xrealloc(c->in, c->incap);
  }
  ssize_t n = read(c->fd, c->in + c->inlen, c->incap - c->inlen);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    client_free(c);
    return;
  }
  c->inlen += (size_t)n;
  control_client_input(m, c);
}

int control_listen(const char *path, berr_t *err)
{
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return fail_errno(err, "socket");
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) return fail(err, ENAMETOOLONG, "socket path %s is too long", path);
  strcpy(addr.sun_path, path);
  unlink(path);
  mode_t old = umask(0077);
  int r = bind(fd, (struct sockaddr *)&addr, sizeof addr);
  umask(old);
  if (r < 0 || listen(fd, 16) < 0) return fail_errno(err, "listen on %s", path);
  return fd;
}
