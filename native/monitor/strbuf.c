#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "util.h"

static const char HEX[] = "0123456789abcdef";

void sb_init(strbuf *b)
{
  memset(b, 0, sizeof *b);
}

void sb_init_fixed(strbuf *b, char *storage, size_t cap)
{
  memset(b, 0, sizeof *b);
  b->p = storage;
  b->cap = cap;
  b->fixed = true;
  if (cap) storage[0] = 0;
}

void sb_free(strbuf *b)
{
  if (!b->fixed) free(b->p);
  memset(b, 0, sizeof *b);
}

char *sb_take(strbuf *b)
{
  char *p = b->fixed ? NULL : b->p;
  if (!p) p = xstrdup(b->fixed && b->p ? b->p : "");
  memset(b, 0, sizeof *b);
  return p;
}

/* Room for n more bytes and the NUL; false (and truncated) when fixed storage is short. */
static bool room(strbuf *b, size_t n)
{
  if (b->len + n + 1 <= b->cap) return true;
  if (b->fixed) {
    b->truncated = true;
    return false;
  }
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->len + n + 1) {
    if (cap > ((size_t)-1) / 2) {
      write_all(2, "berth: string too long\n", 23);
      _exit(125);
    }
    cap *= 2;
  }
  b->p = xrealloc(b->p, cap);
  b->cap = cap;
  return true;
}

void sb_add(strbuf *b, const char *s, size_t n)
{
  if (!room(b, n)) {
    /* what fits, so the text stays NUL terminated; truncated says it is incomplete */
    size_t fit = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0;
    if (fit) memcpy(b->p + b->len, s, fit);
    b->len += fit;
    if (b->cap) b->p[b->len] = 0;
    return;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = 0;
}

void sb_puts(strbuf *b, const char *s)
{
  sb_add(b, s, strlen(s));
}

void sb_putc(strbuf *b, char c)
{
  sb_add(b, &c, 1);
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
  char small[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n < sizeof small) return sb_add(b, small, (size_t)n);
  char *big = xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(big, (size_t)n + 1, fmt, ap);
  va_end(ap);
  sb_add(b, big, (size_t)n);
  free(big);
}

/* Length of a valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
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

static bool plain(unsigned char c, json_style style)
{
  if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  return style == JSON_JS || (c != '<' && c != '>' && c != '&');
}

void sb_json_escape(strbuf *b, const char *s, size_t n, json_style style)
{
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;
  while (i < n) {
    size_t run = i;
    while (run < n && plain(p[run], style)) run++;
    if (run > i) {
      sb_add(b, s + i, run - i);
      i = run;
      continue;
    }
    unsigned char c = p[i];
    char esc[8];
    size_t k = 0;
    if (c < 0x80) {
      esc[k++] = '\\';
      switch (c) {
        case '"': esc[k++] = '"'; break;
        case '\\': esc[k++] = '\\'; break;
        case '\n': esc[k++] = 'n'; break;
        case '\r': esc[k++] = 'r'; break;
        case '\t': esc[k++] = 't'; break;
        case '\b':
        case '\f':
          if (style == JSON_JS) {
            esc[k++] = c == '\b' ? 'b' : 'f';
            break;
          }
          __attribute__((fallthrough)); /* Go writes \u0008 and \u000c */
        default:
          esc[k++] = 'u';
          esc[k++] = '0';
          esc[k++] = '0';
          esc[k++] = HEX[c >> 4];
          esc[k++] = HEX[c & 15];
      }
      sb_add(b, esc, k);
      i++;
      continue;
    }
    size_t len = utf8_len(p + i, n - i);
    if (!len) {
      sb_add(b, "\\ufffd", 6);
      i++;
      continue;
    }
    /* U+2028 and U+2029 are escaped as Go does (E2 80 A8/A9); JSON.stringify leaves them */
    if (style == JSON_GO && len == 3 && p[i] == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
      sb_add(b, p[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
    else
      sb_add(b, s + i, len);
    i += len;
  }
}

void sb_json_str(strbuf *b, const char *s, json_style style)
{
  sb_putc(b, '"');
  sb_json_escape(b, s, strlen(s), style);
  sb_putc(b, '"');
}
