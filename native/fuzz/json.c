/* libFuzzer target: the JSON reader (config.json, state.json, plans) and the JSON writer (strbuf.c).
 * Whatever the bytes, json_parse neither reads nor writes out of bounds nor leaks; what it accepts,
 * written back with sb_json_str, parses again to the same value. Build and run: scripts/fuzz.sh. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../monitor/json.h"
#include "../monitor/strbuf.h"

/* Is s valid UTF-8 (what the writer keeps byte for byte; it writes anything else as U+FFFD)? */
static bool valid_utf8(const char *s)
{
  const unsigned char *p = (const unsigned char *)s;
  while (*p) {
    unsigned c = *p, cp;
    size_t len;
    if (c < 0x80) {
      p++;
      continue;
    }
    if ((c & 0xe0) == 0xc0)
      len = 2, cp = c & 0x1f;
    else if ((c & 0xf0) == 0xe0)
      len = 3, cp = c & 0x0f;
    else if ((c & 0xf8) == 0xf0)
      len = 4, cp = c & 0x07;
    else
      return false;
    for (size_t k = 1; k < len; k++) {
      if ((p[k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[k] & 0x3f);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    p += len;
  }
  return true;
}

static void write_value(strbuf *b, const jval *v, json_style style)
{
  switch (v->t) {
    case J_NULL: sb_puts(b, "null"); break;
    case J_BOOL: sb_puts(b, v->b ? "true" : "false"); break;
    case J_NUM: sb_printf(b, "%.17g", v->num); break;
    case J_STR: sb_json_str(b, v->str, style); break;
    case J_ARR:
    case J_OBJ:
      sb_putc(b, v->t == J_ARR ? '[' : '{');
      for (size_t k = 0; k < v->n; k++) {
        if (k) sb_putc(b, ',');
        if (v->t == J_OBJ) {
          sb_json_str(b, v->keys[k], style);
          sb_putc(b, ':');
        }
        write_value(b, &v->items[k], style);
      }
      sb_putc(b, v->t == J_ARR ? ']' : '}');
      break;
  }
}

static void same(const jval *a, const jval *b)
{
  if (a->t != b->t) abort();
  switch (a->t) {
    case J_BOOL:
      if (a->b != b->b) abort();
      break;
    case J_NUM:
      if (a->num != b->num && !(a->num != a->num && b->num != b->num)) abort();
      break;
    case J_STR:
      if (valid_utf8(a->str) && strcmp(a->str, b->str)) abort();
      break;
    case J_ARR:
    case J_OBJ:
      if (a->n != b->n) abort();
      for (size_t k = 0; k < a->n; k++) {
        if (a->t == J_OBJ && valid_utf8(a->keys[k]) && strcmp(a->keys[k], b->keys[k])) abort();
        same(&a->items[k], &b->items[k]);
      }
      break;
    default: break;
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = 0;
  berr_t err = {0};
  jval *v = json_parse(text, &err);
  free(text);
  if (!v) return 0;
  /* the lookups the programs use */
  const char **sv = json_strv(json_get(v, "args"));
  free(sv);
  (void)json_str(json_get(v, "status"), "");
  for (int style = JSON_GO; style <= JSON_JS; style++) {
    strbuf b;
    sb_init(&b);
    write_value(&b, v, (json_style)style);
    jval *again = json_parse(b.p ? b.p : "", &err);
    if (!again) abort(); /* what the writer wrote must be JSON */
    same(v, again);
    json_free(again);
    sb_free(&b);
  }
  json_free(v);
  return 0;
}
