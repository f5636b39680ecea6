#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "strbuf.h"
#include "util.h"

void log_entry(strbuf *b, const char *text, size_t len, int stream, const char *time)
{
  sb_puts(b, "{\"log\":\"");
  sb_json_escape(b, text, len, JSON_GO);
  sb_puts(b, stream ? "\",\"stream\":\"stderr\",\"time\":" : "\",\"stream\":\"stdout\",\"time\":");
  sb_json_str(b, time, JSON_GO);
  sb_puts(b, "}\n");
}

void rotated_name(char *out, size_t outlen, const char *path, int k)
{
  snprintf(out, outlen, "%s.%d", path, k);
}

int logfile_open(logfile *lf, const char *path, int64_t max_size, int max_files)
{
  memset(lf, 0, sizeof *lf);
  lf->path = xstrdup(path);
  lf->max_size = max_size;
  lf->max_files = max_files < 1 ? 1 : max_files;
  lf->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (lf->fd < 0) return -1;
  struct stat st;
  lf->size = fstat(lf->fd, &st) == 0 ? st.st_size : 0;
  return 0;
}

static void rotate(logfile *lf)
{
  char from[PATH_MAX], to[PATH_MAX];
  if (lf->max_files <= 1) {
    if (ftruncate(lf->fd, 0) == 0) lf->size = 0;
    return;
  }
  rotated_name(to, sizeof to, lf->path, lf->max_files - 1);
  unlink(to);
  for (int k = lf->max_files - 2; k >= 1; k--) {
    rotated_name(from, sizeof from, lf->path, k);
    rotated_name(to, sizeof to, lf->path, k + 1);
    rename(from, to);
  }
  rotated_name(to, sizeof to, lf->path, 1);
  rename(lf->path, to);
  close(lf->fd);
  lf->fd = open(lf->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  lf->size = 0;
}

/* Worst case an entry is 6 bytes per input byte plus the frame. */
static char entry_buf[LOG_PARTIAL_MAX * 6 + 256] __attribute__((aligned(4096)));

static void write_entry(logfile *lf, int stream, const char *text, size_t len)
{
  if (lf->fd < 0) return;
  char ts[40];
  now_rfc3339nano(ts);
  strbuf b;
  sb_init_fixed(&b, entry_buf, sizeof entry_buf);
  log_entry(&b, text, len, stream, ts);
  if (b.truncated) { /* cannot happen: the buffer holds the worst case; never write a cut entry */
    logmsg("a log entry did not fit its buffer");
    return;
  }
  size_t n = b.len;
  if (lf->max_size > 0 && lf->size > 0 && lf->size + (int64_t)n > lf->max_size) rotate(lf);
  if (write_all(lf->fd, entry_buf, n) < 0) {
    logmsg("write %s: %s", lf->path, errno_text(errno));
    return;
  }
  lf->size += (int64_t)n;
}

void logfile_feed(logfile *lf, int stream, const char *data, size_t len)
{
  log_stream *ls = &lf->streams[stream];
  while (len > 0) {
    const char *nl = memchr(data, '\n', len);
    size_t take = nl ? (size_t)(nl - data) + 1 : len;
    if (ls->npending + take > LOG_PARTIAL_MAX) {
      /* docker cuts lines at 16 KiB and marks the pieces partial */
      size_t room = LOG_PARTIAL_MAX - ls->npending;
      memcpy(ls->pending + ls->npending, data, room);
      write_entry(lf, stream, ls->pending, LOG_PARTIAL_MAX);
      ls->npending = 0;
      data += room;
      len -= room;
      continue;
    }
    memcpy(ls->pending + ls->npending, data, take);
    ls->npending += take;
    data += take;
    len -= take;
    if (nl) {
      write_entry(lf, stream, ls->pending, ls->npending);
      ls->npending = 0;
    }
  }
}

void logfile_flush(logfile *lf, int stream)
{
  log_stream *ls = &lf->streams[stream];
  if (ls->npending) write_entry(lf, stream, ls->pending, ls->npending);
  ls->npending = 0;
}

void logfile_close(logfile *lf)
{
  logfile_flush(lf, 0);
  logfile_flush(lf, 1);
  if (lf->fd >= 0) close(lf->fd);
  lf->fd = -1;
}

void logfile_trim(logfile *lf)
{
  trim_memory(entry_buf, sizeof entry_buf);
  for (int k = 0; k < 2; k++)
    trim_memory(lf->streams[k].pending + lf->streams[k].npending, LOG_PARTIAL_MAX - lf->streams[k].npending);
}
