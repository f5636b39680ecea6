#include "log.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>
#include "../monitor/util.h"

static int log_fd = 2;
static bool log_owned;

void dns_log_fd(int fd)
{
  if (log_owned) close(log_fd);
  log_fd = fd;
  log_owned = false;
}

int dns_log_open(const char *path)
{
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return -1;
  dns_log_fd(fd);
  log_owned = true;
  return 0;
}

void dns_log(const char *fmt, ...)
{
  if (log_fd < 0) return;
  if (log_owned && lseek(log_fd, 0, SEEK_END) > DNS_LOG_MAX && ftruncate(log_fd, 0) < 0) return;
  char line[1024], ts[40];
  now_rfc3339nano(ts);
  int n = snprintf(line, sizeof line, "%s berth-dns[%d]: ", ts, (int)getpid());
  va_list ap;
  va_start(ap, fmt);
  n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  write_all(log_fd, line, (size_t)n);
}
