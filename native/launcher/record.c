/*
 * What the replay records share (build.c, pull.c): the line's hash, finding
 * and checking a record's facts apart from the store (the line, the build of
 * berth, the files), its events, and printing its output.
 * src/engine/build/replay/record.ts writes the same.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "launcher.h"

/* FNV-1a 64 of the working directory and the arguments, NUL-separated (record.ts lineHash). */
uint64_t line_hash(const char *cwd, char *const *args, int n)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  const uint64_t prime = 0x100000001b3ULL;
  for (const unsigned char *p = (const unsigned char *)cwd; *p; p++) h = (h ^ *p) * prime;
  for (int k = 0; k < n; k++) {
    h *= prime; /* the separator: h ^ 0 */
    for (const unsigned char *p = (const unsigned char *)args[k]; *p; p++) h = (h ^ *p) * prime;
  }
  return h;
}

/* One entry, [path] (absent) or [path, dev, ino, mode, size, mtime ms, ctime ms]: 0 when it holds. The numbers are
 * doubles as Node has them: the times sec * 1e3 + nsec / 1e6, computed the same way here. */
static int entry_holds(const jval *e, bool follow, berr_t *err)
{
  const char *path = json_str(json_get_at(e, 0), NULL);
  if (!path || e->t != J_ARR || (e->n != 1 && e->n != 7)) return fail(err, 0, "a record entry is malformed");
  struct stat st;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (e->n == 1) return r < 0 && (errno == ENOENT || errno == ENOTDIR) ? 0 : fail(err, 0, "%s appeared", path);
  if (r < 0) return fail_errno(err, "%s", path);
  const double now[6] = {(double)st.st_dev,
                         (double)st.st_ino,
                         (double)st.st_mode,
                         (double)st.st_size,
                         (double)st.st_mtim.tv_sec * 1e3 + (double)st.st_mtim.tv_nsec / 1e6,
                         (double)st.st_ctim.tv_sec * 1e3 + (double)st.st_ctim.tv_nsec / 1e6};
  for (int k = 0; k < 6; k++) {
    const jval *v = json_get_at(e, (size_t)k + 1);
    if (!v || v->t != J_NUM || v->num != now[k]) return fail(err, 0, "%s changed", path);
  }
  return 0;
}

/* The record's facts apart from the store: the line, the build of berth, the files. */
int record_holds(const jval *doc, int version, const char *cwd, char *const *args, int nargs, berr_t *err)
{
  if (json_num(json_get(doc, "version"), 0) != version) return fail(err, 0, "record version differs");
  char stamp[192];
  const char *exe = self_exe();
  if (!exe) return fail(err, 0, "cannot read /proc/self/exe");
  if (plan_stamp(exe, stamp, sizeof stamp, err) < 0) return -1;
  if (strcmp(json_str(json_get(doc, "stamp"), ""), stamp)) return fail(err, 0, "record written by another build");
  if (strcmp(json_str(json_get(doc, "root"), ""), C.root) || strcmp(json_str(json_get(doc, "runroot"), ""), C.runroot))
    return fail(err, 0, "record for another root or runroot");
  if (strcmp(json_str(json_get(doc, "cwd"), ""), cwd)) return fail(err, 0, "record for another directory");
  const jval *argv = json_get(doc, "argv");
  if (!argv || argv->t != J_ARR || argv->n != (size_t)nargs) return fail(err, 0, "record for another line");
  for (int k = 0; k < nargs; k++)
    if (strcmp(json_str(&argv->items[k], ""), args[k])) return fail(err, 0, "record for another line");
  if (json_bool(json_get(doc, "stderrTty"), false) != (isatty(2) == 1))
    return fail(err, 0, "stderr is a terminal or not, unlike when recorded");
  const jval *entries = json_get(doc, "entries");
  size_t nstat = (size_t)json_num(json_get(doc, "statCount"), 0);
  if (!entries || entries->t != J_ARR) return fail(err, 0, "record without entries");
  for (size_t k = 0; k < entries->n; k++)
    if (entry_holds(&entries->items[k], k < nstat, err) < 0) return -1;
  const jval *exists = json_get(doc, "exists");
  for (size_t k = 0; exists && k < exists->n; k++)
    if (access(json_str(&exists->items[k], ""), F_OK) < 0)
      return fail_errno(err, "%s", json_str(&exists->items[k], ""));
  return 0;
}

jval *record_for_line(const char *dir, const char *what, int version, const char *cwd, char *const *args, int nargs)
{
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/%s/%016llx.json", C.root, dir,
                       (unsigned long long)line_hash(cwd, args, nargs)) >= sizeof path)
    hand_over("the root's path is too long");
  berr_t err = {0};
  autofree char *text = read_file(path, NULL, &err);
  if (!text) {
    char why[64];
    snprintf(why, sizeof why, "no %s record for this line", what);
    hand_over(why);
  }
  jval *doc = json_parse(text, &err);
  if (!doc) hand_over(err.msg);
  if (record_holds(doc, version, cwd, args, nargs, &err) < 0) hand_over(err.msg);
  return doc;
}

store_ev *record_events(const jval *doc, int *n)
{
  const jval *ev = json_get(doc, "events");
  if (!ev || ev->t != J_ARR) hand_over("the record is malformed");
  store_ev *events = xmalloc(sizeof(store_ev) * (ev->n + 1));
  for (size_t k = 0; k < ev->n; k++) {
    const jval *e = &ev->items[k];
    events[k] = (store_ev){.type = json_str(json_get_at(e, 0), NULL),
                           .action = json_str(json_get_at(e, 1), NULL),
                           .actor = json_str(json_get_at(e, 2), NULL),
                           .attrs = json_str(json_get_at(e, 3), NULL)};
    if (!events[k].type || !events[k].action || !events[k].actor || !events[k].attrs)
      hand_over("the record is malformed");
  }
  *n = (int)ev->n;
  return events;
}

void record_print_exit(const jval *doc)
{
  const char *out = json_str(json_get(doc, "stdout"), ""), *errs = json_str(json_get(doc, "stderr"), "");
  exit(write_all(1, out, strlen(out)) < 0 || write_all(2, errs, strlen(errs)) < 0 ? 1 : 0);
}
