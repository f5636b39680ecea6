/* A bounds-checked string builder, and JSON string literals built with it.
 * Every piece of JSON the C programs write (state.json, log entries, the
 * exit frame, the launcher's rows and events) goes through here. */
#ifndef BERTH_STRBUF_H
#define BERTH_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  char *p; /* NUL terminated whenever cap > 0 */
  size_t len, cap;
  bool fixed;     /* p is the caller's storage: never grown */
  bool truncated; /* something did not fit into fixed storage (the text is then incomplete) */
} strbuf;

/* Escaping styles: Go's encoding/json (HTML-safe, as docker writes logs) or JSON.stringify's. */
typedef enum { JSON_GO, JSON_JS } json_style;

/* A growing buffer on the heap (sb_free it). */
void sb_init(strbuf *b);
/* The caller's storage of cap bytes; what does not fit sets truncated. */
void sb_init_fixed(strbuf *b, char *storage, size_t cap);
void sb_free(strbuf *b);
/* Hand the heap text over (malloc'd, NUL terminated); the buffer is empty afterwards. */
char *sb_take(strbuf *b);
void sb_add(strbuf *b, const char *s, size_t n);
void sb_puts(strbuf *b, const char *s);
void sb_putc(strbuf *b, char c);
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The escaped content of a JSON string (no quotes) for n bytes of s; invalid UTF-8 becomes \ufffd. */
void sb_json_escape(strbuf *b, const char *s, size_t n, json_style style);
/* A JSON string literal, quotes included. */
void sb_json_str(strbuf *b, const char *s, json_style style);

#endif
