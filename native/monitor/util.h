/* Shared helpers for berth-monitor: errors (crun style), I/O, paths, time. */
#ifndef BERTH_UTIL_H
#define BERTH_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <sys/types.h>

/* An error: a message that names what failed, and the errno when there is one. */
typedef struct {
  int code;   /* errno, or 0 */
  int status; /* exit status to report (125 setup, 126/127 exec) */
  char msg[512];
} berr_t;

/* Fill *err and return -1. */
int fail(berr_t *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, with errno appended as ": <strerror>". */
/* strerror's text as Go prints it ("permission denied"). */
/* Give the whole pages inside [p, p+len) back to the kernel (they read as zeros afterwards). */
void trim_memory(void *p, size_t len);
/* Split s in place at blanks into at most max fields; returns how many. */
int split_fields(char *s, char **out, int max);
const char *errno_text(int e);
int fail_errno(berr_t *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void cleanup_freep(void *p);
void cleanup_closep(int *fd);
#define autofree  __attribute__((cleanup(cleanup_freep)))
#define autoclose __attribute__((cleanup(cleanup_closep)))

void *xmalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

ssize_t write_all(int fd, const void *buf, size_t len);
/* Read a whole file (NUL terminated); returns NULL and sets err on failure. */
char *read_file(const char *path, size_t *len, berr_t *err);
/* Write a file atomically: path.tmp, fsync, rename. */
int write_file_atomic(const char *path, const char *data, size_t len, berr_t *err);
int write_file(const char *path, const char *data, berr_t *err);
int mkdir_p(const char *path, mode_t mode);

/* RFC3339Nano in UTC as Go prints it (fraction without trailing zeros). */
void rfc3339nano(char out[40], const struct timespec *ts);
void now_rfc3339nano(char out[40]);
int64_t monotonic_ms(void);

/* Field 22 (starttime) of /proc/<pid>/stat, or 0. */
unsigned long long proc_starttime(pid_t pid);

void set_cloexec(int fd, bool on);
void set_nonblock(int fd, bool on);

/* Diagnostics of the monitor process go here (monitor.log), with a timestamp. */
void logmsg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_open(const char *path);

#endif
