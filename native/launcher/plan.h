/* A run plan (<root>/plans/<image hex>.json, written by src/engine/container/run-plan.ts) and the
 * replacement of its markers with one container's values. */
#ifndef BERTH_PLAN_H
#define BERTH_PLAN_H

#include "../monitor/json.h"
#include "berth-constants.h"

#define PLAN_VERSION BERTH_PLAN_VERSION

typedef struct {
  jval *doc;
  const jval *variant; /* the {config, hostConfig} for this command line's flags */
} plan_t;

/* What replaces the markers. */
typedef struct {
  const char *id; /* 64 hex */
  const char *name;
  const char *image;   /* as typed */
  const char *created; /* RFC3339Nano */
  const char *started;
  const char *cmd_json; /* the command as JSON array items, without brackets */
  const char *ip, *mac; /* the address the plan's allocation gave (NULL before it) */
} plan_values;

/* The stamp a plan for this build must carry: the hash the build wrote (BERTH_PLAN_STAMP_FILE under the package, from
 * the code that computes plans and native/constants.json; src/cli/bundle.ts) and the launcher's size and mtime (ns),
 * "HASH:SIZE:MTIME". exe is the launcher's path, <package>/native/build/Release/berth-launch. -1 when there is none. */
int plan_stamp(const char *exe, char *out, size_t len, berr_t *err);
/* Load and check the plan; returns -1 (err says why) when it cannot serve this root and runroot, was written
 * by another build (its stamp is not `stamp`), or a host file its copies came from changed (hostFiles). */
int plan_load(plan_t *p, const char *root, const char *runroot, const char *image_id, const char *variant,
              const char *stamp, berr_t *err);
/* tmpl with every marker replaced (malloc'd); NULL when a marker is left that has no value. */
char *plan_fill(const char *tmpl, const plan_values *v);
/* The i-th item of a JSON array, or NULL. */
const jval *json_get_at(const jval *arr, size_t i);
/* A JSON string literal for s (malloc'd), escaped as JSON.stringify does. */
char *json_quote(const char *s);

#endif
