/* The container log in docker's json-file format, with rotation. */
#ifndef BERTH_LOGFILE_H
#define BERTH_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "strbuf.h"

#define LOG_PARTIAL_MAX 16384

typedef struct {
  char pending[LOG_PARTIAL_MAX];
  size_t npending;
} log_stream;

typedef struct {
  char *path;
  int fd;
  int64_t size;
  int64_t max_size;      /* 0 = unlimited */
  int max_files;         /* >= 1 */
  log_stream streams[2]; /* stdout, stderr */
} logfile;

int logfile_open(logfile *lf, const char *path, int64_t max_size, int max_files);
/* Feed bytes read from stream 0 (stdout) or 1 (stderr). */
void logfile_feed(logfile *lf, int stream, const char *data, size_t len);
/* Flush pending bytes of a stream as a partial entry (at EOF). */
void logfile_flush(logfile *lf, int stream);
/* After a burst of output: give its scratch memory back (an idle monitor stays small). */
void logfile_trim(logfile *lf);
void logfile_close(logfile *lf);

/* Pure pieces, exposed for the unit tests. */
/* One entry: {"log":"...","stream":"stdout","time":"..."}\n, escaped as Go's encoding/json. */
void log_entry(strbuf *b, const char *text, size_t len, int stream, const char *time);
/* Name of rotated file k (k >= 1): path.k */
void rotated_name(char *out, size_t outlen, const char *path, int k);

#endif
