/*
 * `berth build` lines answered from a build replay record (written by the
 * engine after a build: src/engine/build/replay/record.ts, which says what a
 * record holds). The record for this exact line (working directory and
 * arguments) is <root>/build-records/<FNV-1a 64 of the line>.json; it is
 * used only when all of it still holds:
 *
 *   - written by this build of berth (the run plans' stamp), for this root,
 *     runroot and line, with stderr a terminal or not as it was;
 *   - every path it names has the same (dev, ino, mode, size, mtime,
 *     ctime), or is still absent; the layer trees and config blob are
 *     there;
 *   - in the store, in one transaction: the image is there, its tags and
 *     the base images' tags name what they named, and each step's cache
 *     entry still gives the same layer. Then, as a build from the cache
 *     does, the entries are marked used and the tag events recorded.
 *
 * Then the recorded output is printed and the launcher exits 0. Anything
 * else (no record, one difference, an error) hands the line to Node, before
 * anything was written.
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
static uint64_t line_hash(const char *cwd, char *const *args, int n)
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

/* The strings of a JSON array of arrays of two strings, flattened; NULL when it is not that. */
static const char **pairs(const jval *arr, int *n)
{
  *n = 0;
  if (!arr || arr->t != J_ARR) return NULL;
  const char **out = xmalloc(sizeof(char *) * (2 * arr->n + 1));
  for (size_t k = 0; k < arr->n; k++) {
    const jval *p = &arr->items[k];
    const char *a = json_str(json_get_at(p, 0), NULL), *b = json_str(json_get_at(p, 1), NULL);
    if (p->t != J_ARR || p->n != 2 || !a || !b) {
      free(out);
      return NULL;
    }
    out[2 * k] = a;
    out[2 * k + 1] = b;
  }
  *n = (int)arr->n;
  return out;
}

/* The record's facts apart from the store: the line, the build of berth, the files. */
static int record_holds(const jval *doc, const char *cwd, char *const *args, int nargs, berr_t *err)
{
  if (json_num(json_get(doc, "version"), 0) != BERTH_BUILD_RECORD_VERSION)
    return fail(err, 0, "record version differs");
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

void build_replay(int argc, char **argv)
{
  if (geteuid() != 0) hand_over("not root");
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) hand_over("no working directory");
  char *const *args = argv + 1;
  int nargs = argc - 1;
  char path[PATH_MAX];
  if ((size_t)snprintf(path, sizeof path, "%s/" BERTH_LAYOUT_BUILD_RECORDS "/%016llx.json", C.root,
                       (unsigned long long)line_hash(cwd, args, nargs)) >= sizeof path)
    hand_over("the root's path is too long");
  berr_t err = {0};
  autofree char *text = read_file(path, NULL, &err);
  if (!text) hand_over("no build record for this line");
  jval *doc = json_parse(text, &err);
  if (!doc) hand_over(err.msg);
  if (record_holds(doc, cwd, args, nargs, &err) < 0) hand_over(err.msg);

  int ntags = 0, nbases = 0, nsteps = 0, nevents = 0;
  const char *const *tags = json_strv(json_get(doc, "tags"));
  for (; tags && tags[ntags]; ntags++) {}
  const char **bases = pairs(json_get(doc, "bases"), &nbases), **steps = pairs(json_get(doc, "steps"), &nsteps);
  const jval *ev = json_get(doc, "events");
  if (!tags || !bases || !steps || !ev || ev->t != J_ARR) hand_over("the record is malformed");
  store_ev *events = xmalloc(sizeof(store_ev) * (ev->n + 1));
  for (size_t k = 0; k < ev->n; k++, nevents++) {
    const jval *e = &ev->items[k];
    events[k] = (store_ev){.type = json_str(json_get_at(e, 0), NULL),
                           .action = json_str(json_get_at(e, 1), NULL),
                           .actor = json_str(json_get_at(e, 2), NULL),
                           .attrs = json_str(json_get_at(e, 3), NULL)};
    if (!events[k].type || !events[k].action || !events[k].actor || !events[k].attrs)
      hand_over("the record is malformed");
  }
  const char *image = json_str(json_get(doc, "image"), NULL);
  if (!image) hand_over("the record is malformed");
  store_t store = {0};
  if (store_open(&store, C.root, &err) < 0) hand_over(err.msg);
  store_replay r = {.image = image,
                    .tags = tags,
                    .ntags = ntags,
                    .bases = bases,
                    .nbases = nbases,
                    .steps = steps,
                    .nsteps = nsteps,
                    .events = events,
                    .nevents = nevents};
  if (store_build_replay(&store, &r, &err) != 0) hand_over(err.msg);
  store_close(&store);
  const char *out = json_str(json_get(doc, "stdout"), ""), *errs = json_str(json_get(doc, "stderr"), "");
  int rc = write_all(1, out, strlen(out)) < 0 || write_all(2, errs, strlen(errs)) < 0 ? 1 : 0;
  exit(rc);
}
