#include "logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util.h"

static const char HEX[] = "0123456789abcdef";

/* Length of a valid UTF-8 sequence at p (max n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
  unsigned c = p[0];
  size_t len;
  unsigned cp;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) {
    len = 2;
    cp = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    len = 3;
    cp = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (len > n) return 0;
  for (size_t k = 1; k < len; k++) {
    if ((p[k] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (p[k] & 0x3f);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff))) return 0;
  if (cp >= 0xd800 && cp <= 0xdfff) return 0;
  return len;
}

size_t json_escape(const char *in, size_t len, char *out)
{
  const unsigned char *p = (const unsigned char *)in;
  char *o = out;
  size_t i = 0;
  while (i < len) {
    unsigned char c = p[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
      *o++ = (char)c;
      i++;
      continue;
    }
    if (c < 0x80) {
      *o++ = '\\';
      switch (c) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '\n': *o++ = 'n'; break;
        case '\r': *o++ = 'r'; break;
        case '\t': *o++ = 't'; break;
        default:
          *o++ = 'u';
          *o++ = '0';
          *o++ = '0';
          *o++ = HEX[c >> 4];
          *o++ = HEX[c & 15];
      }
      i++;
      continue;
    }
    size_t n = utf8_len(p + i, len - i);
    if (!n) {
      memcpy(o, "\\ufffd", 6);
      o += 6;
      i++;
      continue;
    }
    /* U+2028 and U+2029 are escaped as Go does (E2 80 A8/A9) */
    if (n == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9)) {
      memcpy(o, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
      o += 6;
    } else {
      memcpy(o, p + i, n);
      o += n;
    }
    i += n;
  }
  *o = 0;
  return (size_t)(o - out);
}

size_t log_entry(char *out, const char *text, size_t len, int stream, const char *time)
{
  char *o = out;
  memcpy(o, "{\"log\":\"", 8);
  o += 8;
  o += json_escape(text, len, o);
  o += sprintf(o, "\",\"stream\":\"%s\",\"time\":\"%s\"}\n", stream ? "stderr" : "stdout", time);
  return (size_t)(o - out);
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
  size_t n = log_entry(entry_buf, text, len, stream, ts);
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
