#include "plan.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "../monitor/strbuf.h"

int plan_stamp(const char *exe, char *out, size_t len, berr_t *err)
{
  const char *slash = strrchr(exe, '/');
  if (!slash) return fail(err, 0, "the launcher's path %s has no directory", exe);
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%.*s/../../../%s", (int)(slash - exe), exe, BERTH_PLAN_STAMP_FILE) >=
      sizeof path)
    return fail(err, ENAMETOOLONG, "the launcher's path is too long");
  autofree char *hash = read_file(path, NULL, err);
  if (!hash) return -1;
  size_t n = strspn(hash, "0123456789abcdef");
  if (n != 64 || (hash[n] && strcmp(hash + n, "\n"))) return fail(err, 0, "%s is not a stamp", path);
  hash[n] = 0;
  struct stat st;
  if (stat(exe, &st) < 0) return fail_errno(err, "stat %s", exe);
  if ((size_t)snprintf(out, len, "%s:%lld:%lld", hash, (long long)st.st_size,
                       (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec) >= len)
    return fail(err, 0, "no room for the stamp");
  return 0;
}

int plan_load(plan_t *p, const char *root, const char *runroot, const char *image_id, const char *variant,
              const char *stamp, berr_t *err)
{
  memset(p, 0, sizeof *p);
  char path[4096];
  const char *hex = strncmp(image_id, "sha256:", 7) ? image_id : image_id + 7;
  snprintf(path, sizeof path, "%s/" BERTH_LAYOUT_PLANS "/%s.json", root, hex);
  autofree char *text = read_file(path, NULL, err);
  if (!text) return -1;
  p->doc = json_parse(text, err);
  if (!p->doc) return -1;
  if (json_num(json_get(p->doc, "version"), 0) != PLAN_VERSION) return fail(err, 0, "plan version differs");
  if (strcmp(json_str(json_get(p->doc, "imageId"), ""), image_id)) return fail(err, 0, "plan is for another image");
  if (strcmp(json_str(json_get(p->doc, "root"), ""), root) ||
      strcmp(json_str(json_get(p->doc, "runroot"), ""), runroot))
    return fail(err, 0, "plan is for another root or runroot");
  /* computed by this build's code for this launcher (plan_stamp; run-plan.ts planStamp) */
  if (strcmp(json_str(json_get(p->doc, "stamp"), ""), stamp)) return fail(err, 0, "plan written for another build");
  /* the exit command's node and script are there */
  const jval *exit_cmd = json_get(p->doc, "exitCommand");
  for (size_t k = 0; exit_cmd && k < exit_cmd->n && k < 2; k++)
    if (access(json_str(&exit_cmd->items[k], ""), F_OK) < 0)
      return fail_errno(err, "%s", json_str(&exit_cmd->items[k], ""));
  p->variant = json_get(json_get(p->doc, "variants"), variant);
  if (!p->variant) return fail(err, 0, "plan has no variant %s", variant);
  /* the layer trees are there */
  const jval *dirs = json_get(p->doc, "layerDirs");
  for (size_t k = 0; dirs && k < dirs->n; k++)
    if (access(json_str(&dirs->items[k], ""), F_OK) < 0)
      return fail_errno(err, "layer %s", json_str(&dirs->items[k], ""));
  /* the host's files the plan's copies came from hold what they held (resolv.conf, the bridge's owner) */
  const jval *files = json_get(p->doc, "hostFiles");
  if (!files || files->t != J_ARR) return fail(err, 0, "plan without its host files");
  for (size_t k = 0; k < files->n; k++) {
    const char *path = json_str(json_get_at(&files->items[k], 0), "");
    berr_t e = {0};
    autofree char *now = read_file(path, NULL, &e);
    if (strcmp(now ? now : "", json_str(json_get_at(&files->items[k], 1), ""))) return fail(err, 0, "%s changed", path);
  }
  return 0;
}

const jval *json_get_at(const jval *arr, size_t i)
{
  return arr && arr->t == J_ARR && i < arr->n ? &arr->items[i] : NULL;
}

char *json_quote(const char *s)
{
  strbuf b;
  sb_init(&b);
  sb_json_str(&b, s, JSON_JS);
  return sb_take(&b);
}

typedef struct {
  const char *mark;
  const char *value;
} pair;

char *plan_fill(const char *tmpl, const plan_values *v)
{
  char id16[17], id12[13], full[65];
  snprintf(full, sizeof full, "%s", v->id);
  snprintf(id16, sizeof id16, "%s", v->id);
  snprintf(id12, sizeof id12, "%s", v->id);
  /* the ID marker's prefixes are markers too: longest first (native/constants.json plan.markers) */
  const pair pairs[] = {
      {BERTH_PLAN_MARKERS_ID64, full},          {BERTH_PLAN_MARKERS_ID16, id16},
      {BERTH_PLAN_MARKERS_ID12, id12},          {"\"" BERTH_PLAN_MARKERS_CMD "\"", v->cmd_json},
      {BERTH_PLAN_MARKERS_NAME, v->name},       {BERTH_PLAN_MARKERS_IMAGE, v->image},
      {BERTH_PLAN_MARKERS_CREATED, v->created}, {BERTH_PLAN_MARKERS_STARTED, v->started},
      {BERTH_PLAN_MARKERS_IP, v->ip},           {BERTH_PLAN_MARKERS_MAC, v->mac},
  };
  size_t cap = strlen(tmpl) + 256, n = 0;
  char *out = xmalloc(cap);
  for (const char *s = tmpl; *s;) {
    const pair *hit = NULL;
    if (*s == BERTH_PLAN_MARKER_PREFIX[0] || *s == '"')
      for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++)
        if (!strncmp(s, pairs[k].mark, strlen(pairs[k].mark))) {
          hit = &pairs[k];
          break;
        }
    const char *add = hit ? hit->value : s;
    size_t len = hit ? (hit->value ? strlen(hit->value) : 0) : 1;
    if (hit && !hit->value) {
      free(out);
      return NULL;
    }
    if (n + len + 1 > cap) out = xrealloc(out, cap = (n + len + 1) * 2);
    memcpy(out + n, add, len);
    n += len;
    s += hit ? strlen(hit->mark) : 1;
  }
  out[n] = 0;
  if (strstr(out, BERTH_PLAN_MARKER_PREFIX)) {
    free(out);
    return NULL;
  }
  return out;
}
