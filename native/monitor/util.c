#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int fail(berr_t *err, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  err->code = code;
  if (!err->status) err->status = 125;
  return -1;
}

const char *errno_text(int e)
{
  /* as Go prints errno values: the C library's text with a lower-case first letter
   * (strerrordesc_np: no locale, so no gettext and iconv in the static binary) */
  static char buf[128];
  const char *d = strerrordesc_np(e);
  if (d)
    snprintf(buf, sizeof buf, "%s", d);
  else
    snprintf(buf, sizeof buf, "errno %d", e);
  if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z')) buf[0] = (char)(buf[0] - 'A' + 'a');
  return buf;
}

int fail_errno(berr_t *err, const char *fmt, ...)
{
  int e = errno;
  char buf[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  snprintf(err->msg, sizeof err->msg, "%s: %s", buf, errno_text(e));
  err->code = e;
  if (!err->status) err->status = 125;
  errno = e;
  return -1;
}

void cleanup_freep(void *p)
{
  free(*(void **)p);
}

void cleanup_closep(int *fd)
{
  if (*fd >= 0) close(*fd);
}

void *xmalloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (!p) {
    write_all(2, "berth-monitor: out of memory\n", 29);
    _exit(125);
  }
  return p;
}

void *xrealloc(void *p, size_t n)
{
  void *q = realloc(p, n ? n : 1);
  if (!q) {
    write_all(2, "berth-monitor: out of memory\n", 29);
    _exit(125);
  }
  return q;
}

char *xstrdup(const char *s)
{
  size_t n = strlen(s) + 1;
  char *d = xmalloc(n);
  memcpy(d, s, n);
  return d;
}

ssize_t write_all(int fd, const void *buf, size_t len)
{
  const char *p = buf;
  size_t left = len;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    p += n;
    left -= (size_t)n;
  }
  return (ssize_t)len;
}

char *read_file(const char *path, size_t *len, berr_t *err)
{
  autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    fail_errno(err, "open %s", path);
    return NULL;
  }
  size_t cap = 4096, n = 0;
  char *buf = xmalloc(cap);
  for (;;) {
    if (n + 1 >= cap) buf = xrealloc(buf, cap *= 2);
    ssize_t r = read(fd, buf + n, cap - n - 1);
    if (r < 0) {
      if (errno == EINTR) continue;
      fail_errno(err, "read %s", path);
      free(buf);
      return NULL;
    }
    if (r == 0) break;
    n += (size_t)r;
  }
  buf[n] = 0;
  if (len) *len = n;
  return buf;
}

int write_file_atomic(const char *path, const char *data, size_t len, berr_t *err)
{
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return fail_errno(err, "open %s", tmp);
  if (write_all(fd, data, len) < 0 || fsync(fd) < 0) {
    int e = errno;
    close(fd);
    unlink(tmp);
    errno = e;
    return fail_errno(err, "write %s", tmp);
  }
  close(fd);
  if (rename(tmp, path) < 0) {
    unlink(tmp);
    return fail_errno(err, "rename %s", path);
  }
  return 0;
}

int write_file(const char *path, const char *data, berr_t *err)
{
  autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return fail_errno(err, "open %s", path);
  if (write_all(fd, data, strlen(data)) < 0) return fail_errno(err, "write %s", path);
  return 0;
}

int mkdir_p(const char *path, mode_t mode)
{
  char buf[4096];
  size_t n = strlen(path);
  if (n >= sizeof buf) {
    errno = ENAMETOOLONG;
    return -1;
  }
  memcpy(buf, path, n + 1);
  for (char *p = buf + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(buf, mode) < 0 && errno != EEXIST) return -1;
  return 0;
}

int split_fields(char *s, char **out, int max)
{
  int n = 0;
  while (n < max) {
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    if (!*s) break;
    out[n++] = s;
    while (*s && *s != ' ' && *s != '\t' && *s != '\n') s++;
    if (*s) *s++ = 0;
  }
  return n;
}

void rfc3339nano(char out[40], const struct timespec *ts)
{
  /* UTC date from days since the epoch (Howard Hinnant's civil_from_days); gmtime would link the time zone code */
  int64_t secs = ts->tv_sec, days = secs / 86400, rem = secs % 86400;
  if (rem < 0) rem += 86400, days--;
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097, yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9, year = yoe + era * 400 + (month <= 2);
  int n = snprintf(out, 40, "%04d-%02d-%02dT%02d:%02d:%02d", (int)year, (int)month, (int)day, (int)(rem / 3600),
                   (int)(rem / 60 % 60), (int)(rem % 60));
  long ns = ts->tv_nsec;
  if (ns) {
    char frac[16];
    snprintf(frac, sizeof frac, "%09ld", ns);
    int end = 9;
    while (end > 0 && frac[end - 1] == '0') end--;
    frac[end] = 0;
    n += snprintf(out + n, (size_t)(40 - n), ".%s", frac);
  }
  snprintf(out + n, (size_t)(40 - n), "Z");
}

void now_rfc3339nano(char out[40])
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  rfc3339nano(out, &ts);
}

int64_t monotonic_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

unsigned long long proc_starttime(pid_t pid)
{
  char path[64];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  berr_t err = {0};
  autofree char *s = read_file(path, NULL, &err);
  if (!s) return 0;
  char *p = strrchr(s, ')');
  if (!p) return 0;
  /* after ") " comes field 3; starttime is field 22 */
  p += 2;
  for (int field = 3; field < 22 && p; field++) {
    p = strchr(p, ' ');
    if (p) p++;
  }
  return p ? strtoull(p, NULL, 10) : 0;
}

void set_cloexec(int fd, bool on)
{
  int f = fcntl(fd, F_GETFD);
  if (f >= 0) fcntl(fd, F_SETFD, on ? f | FD_CLOEXEC : f & ~FD_CLOEXEC);
}

void set_nonblock(int fd, bool on)
{
  int f = fcntl(fd, F_GETFL);
  if (f >= 0) fcntl(fd, F_SETFL, on ? f | O_NONBLOCK : f & ~O_NONBLOCK);
}

static int log_fd = -1;

void log_open(const char *path)
{
  log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
}

void logmsg(const char *fmt, ...)
{
  if (log_fd < 0) return;
  char line[1024];
  char ts[40];
  now_rfc3339nano(ts);
  int n = snprintf(line, sizeof line, "%s ", ts);
  va_list ap;
  va_start(ap, fmt);
  n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof line - 2) n = (int)sizeof line - 2;
  line[n++] = '\n';
  write_all(log_fd, line, (size_t)n);
}

void trim_memory(void *p, size_t len)
{
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t start = ((uintptr_t)p + page - 1) & ~(page - 1), end = ((uintptr_t)p + len) & ~(page - 1);
  if (end > start) madvise((void *)start, end - start, MADV_DONTNEED);
}
