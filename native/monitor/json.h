/* A small JSON reader (DOM) for config.json. */
#ifndef BERTH_JSON_H
#define BERTH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include "util.h"

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval {
  jtype t;
  bool b;
  double num;
  char *str;          /* J_STR */
  size_t n;           /* items in J_ARR / J_OBJ */
  struct jval *items; /* J_ARR / J_OBJ values */
  char **keys;        /* J_OBJ keys */
} jval;

jval *json_parse(const char *text, berr_t *err);
void json_free(jval *v);
/* Free what v holds (a member of a parsed document) and leave it null. */
void json_drop(jval *v);

/* Lookups that tolerate NULL and type mismatches by returning NULL/defaults. */
const jval *json_get(const jval *obj, const char *key);
const char *json_str(const jval *v, const char *def);
double json_num(const jval *v, double def);
bool json_bool(const jval *v, bool def);
/* A NULL-terminated array of the strings in a JSON array (pointers into v). */
const char **json_strv(const jval *arr);

#endif
