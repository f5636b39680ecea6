#include "json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *s;
  size_t i;
  berr_t *err;
  int depth;
} parser;

static void skip_ws(parser *p)
{
  while (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' || p->s[p->i] == '\r') p->i++;
}

static int perr(parser *p, const char *what)
{
  return fail(p->err, EINVAL, "config.json: %s at offset %zu", what, p->i);
}

static int parse_value(parser *p, jval *out);
static void free_inner(jval *v);

static void put_utf8(char **o, unsigned cp)
{
  char *q = *o;
  if (cp < 0x80) {
    *q++ = (char)cp;
  } else if (cp < 0x800) {
    *q++ = (char)(0xc0 | (cp >> 6));
    *q++ = (char)(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *q++ = (char)(0xe0 | (cp >> 12));
    *q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
    *q++ = (char)(0x80 | (cp & 0x3f));
  } else {
    *q++ = (char)(0xf0 | (cp >> 18));
    *q++ = (char)(0x80 | ((cp >> 12) & 0x3f));
    *q++ = (char)(0x80 | ((cp >> 6) & 0x3f));
    *q++ = (char)(0x80 | (cp & 0x3f));
  }
  *o = q;
}

static int hex4(parser *p, unsigned *out)
{
  unsigned v = 0;
  for (int k = 0; k < 4; k++) {
    char c = p->s[p->i];
    if (!c) return perr(p, "bad \\u escape");
    p->i++;
    v <<= 4;
    if (c >= '0' && c <= '9')
      v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v |= (unsigned)(c - 'A' + 10);
    else
      return perr(p, "bad \\u escape");
  }
  *out = v;
  return 0;
}

static int parse_string(parser *p, char **out)
{
  if (p->s[p->i] != '"') return perr(p, "expected a string");
  p->i++;
  size_t start = p->i, len = 0;
  /* the decoded string is never longer than the raw text; an escape's second byte is never the NUL */
  while (p->s[start + len] && p->s[start + len] != '"') {
    if (p->s[start + len] == '\\' && p->s[start + len + 1]) len++;
    len++;
  }
  char *buf = xmalloc(len + 1), *o = buf;
  for (;;) {
    char c = p->s[p->i];
    if (!c) {
      free(buf);
      return perr(p, "unterminated string");
    }
    if ((unsigned char)c < 0x20) {
      free(buf);
      return perr(p, "control character in a string");
    }
    p->i++;
    if (c == '"') break;
    if (c != '\\') {
      *o++ = c;
      continue;
    }
    char e = p->s[p->i];
    if (!e) {
      free(buf);
      return perr(p, "unterminated string");
    }
    p->i++;
    switch (e) {
      case '"': *o++ = '"'; break;
      case '\\': *o++ = '\\'; break;
      case '/': *o++ = '/'; break;
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'n': *o++ = '\n'; break;
      case 'r': *o++ = '\r'; break;
      case 't': *o++ = '\t'; break;
      case 'u': {
        unsigned cp = 0;
        if (hex4(p, &cp) < 0) {
          free(buf);
          return -1;
        }
        if (cp >= 0xd800 && cp < 0xdc00) {
          unsigned lo = 0;
          if (p->s[p->i] != '\\' || p->s[p->i + 1] != 'u') {
            free(buf);
            return perr(p, "lone surrogate");
          }
          p->i += 2;
          if (hex4(p, &lo) < 0) {
            free(buf);
            return -1;
          }
          if (lo < 0xdc00 || lo > 0xdfff) {
            free(buf);
            return perr(p, "lone surrogate");
          }
          cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
        } else if (cp >= 0xdc00 && cp <= 0xdfff) {
          free(buf);
          return perr(p, "lone surrogate");
        }
        put_utf8(&o, cp);
        break;
      }
      default: free(buf); return perr(p, "bad escape");
    }
  }
  *o = 0;
  *out = buf;
  return 0;
}

static int parse_container(parser *p, jval *out, bool obj)
{
  if (++p->depth > 64) return perr(p, "nested too deeply");
  p->i++;
  size_t cap = 8;
  out->t = obj ? J_OBJ : J_ARR;
  out->items = xmalloc(cap * sizeof(jval));
  out->keys = obj ? xmalloc(cap * sizeof(char *)) : NULL;
  out->n = 0;
  skip_ws(p);
  if (p->s[p->i] == (obj ? '}' : ']')) {
    p->i++;
    p->depth--;
    return 0;
  }
  for (;;) {
    if (out->n == cap) {
      cap *= 2;
      out->items = xrealloc(out->items, cap * sizeof(jval));
      if (obj) out->keys = xrealloc(out->keys, cap * sizeof(char *));
    }
    skip_ws(p);
    if (obj) {
      if (parse_string(p, &out->keys[out->n]) < 0) return -1;
      skip_ws(p);
      if (p->s[p->i++] != ':') {
        free(out->keys[out->n]);
        return perr(p, "expected ':'");
      }
    }
    memset(&out->items[out->n], 0, sizeof(jval));
    if (parse_value(p, &out->items[out->n]) < 0) {
      free_inner(&out->items[out->n]); /* what it holds of a nested value */
      if (obj) free(out->keys[out->n]);
      return -1;
    }
    out->n++;
    skip_ws(p);
    char c = p->s[p->i++];
    if (c == ',') continue;
    if (c == (obj ? '}' : ']')) break;
    return perr(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
  }
  p->depth--;
  return 0;
}

static bool digit(char c)
{
  return c >= '0' && c <= '9';
}

/* The end of a number at i as JSON's grammar has it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; 0 if none. */
static size_t number_end(const char *s, size_t i)
{
  if (s[i] == '-') i++;
  if (s[i] == '0')
    i++;
  else if (digit(s[i]))
    while (digit(s[i])) i++;
  else
    return 0;
  if (s[i] == '.') {
    if (!digit(s[++i])) return 0;
    while (digit(s[i])) i++;
  }
  if (s[i] == 'e' || s[i] == 'E') {
    i++;
    if (s[i] == '+' || s[i] == '-') i++;
    if (!digit(s[i])) return 0;
    while (digit(s[i])) i++;
  }
  if (digit(s[i])) return 0; /* 01 */
  return i;
}

static int parse_value(parser *p, jval *out)
{
  skip_ws(p);
  char c = p->s[p->i];
  if (c == '{') return parse_container(p, out, true);
  if (c == '[') return parse_container(p, out, false);
  if (c == '"') {
    out->t = J_STR;
    return parse_string(p, &out->str);
  }
  if (!strncmp(p->s + p->i, "true", 4)) {
    out->t = J_BOOL;
    out->b = true;
    p->i += 4;
    return 0;
  }
  if (!strncmp(p->s + p->i, "false", 5)) {
    out->t = J_BOOL;
    p->i += 5;
    return 0;
  }
  if (!strncmp(p->s + p->i, "null", 4)) {
    out->t = J_NULL;
    p->i += 4;
    return 0;
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    size_t end = number_end(p->s, p->i);
    if (!end) return perr(p, "bad number");
    char *stop;
    out->t = J_NUM;
    out->num = strtod(p->s + p->i, &stop);
    if (stop != p->s + end) return perr(p, "bad number");
    p->i = end;
    return 0;
  }
  return perr(p, "unexpected character");
}

static void free_inner(jval *v)
{
  if (v->t == J_STR) free(v->str);
  if (v->t == J_ARR || v->t == J_OBJ) {
    for (size_t k = 0; k < v->n; k++) {
      free_inner(&v->items[k]);
      if (v->keys) free(v->keys[k]);
    }
    free(v->items);
    free(v->keys);
  }
}

void json_free(jval *v)
{
  if (!v) return;
  free_inner(v);
  free(v);
}

void json_drop(jval *v)
{
  if (!v) return;
  free_inner(v);
  memset(v, 0, sizeof *v);
  v->t = J_NULL;
}

jval *json_parse(const char *text, berr_t *err)
{
  parser p = {.s = text, .i = 0, .err = err, .depth = 0};
  jval *v = xmalloc(sizeof *v);
  memset(v, 0, sizeof *v);
  if (parse_value(&p, v) < 0) {
    json_free(v);
    return NULL;
  }
  skip_ws(&p);
  if (p.s[p.i]) {
    perr(&p, "trailing characters");
    json_free(v);
    return NULL;
  }
  return v;
}

const jval *json_get(const jval *obj, const char *key)
{
  if (!obj || obj->t != J_OBJ) return NULL;
  for (size_t k = 0; k < obj->n; k++)
    if (!strcmp(obj->keys[k], key)) return &obj->items[k];
  return NULL;
}

const char *json_str(const jval *v, const char *def)
{
  return v && v->t == J_STR ? v->str : def;
}

double json_num(const jval *v, double def)
{
  return v && v->t == J_NUM ? v->num : def;
}

bool json_bool(const jval *v, bool def)
{
  return v && v->t == J_BOOL ? v->b : def;
}

const char **json_strv(const jval *arr)
{
  size_t n = arr && arr->t == J_ARR ? arr->n : 0;
  const char **out = xmalloc((n + 1) * sizeof(char *));
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (arr->items[k].t == J_STR) out[m++] = arr->items[k].str;
  out[m] = NULL;
  return out;
}
