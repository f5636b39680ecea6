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

void build_replay(int argc, char **argv)
{
  if (geteuid() != 0) hand_over("not root");
  char cwd[PATH_MAX];
  if (!getcwd(cwd, sizeof cwd)) hand_over("no working directory");
  char *const *args = argv + 1;
  int nargs = argc - 1;
  jval *doc = record_for_line(BERTH_LAYOUT_BUILD_RECORDS, "build", BERTH_BUILD_RECORD_VERSION, cwd, args, nargs);

  int ntags = 0, nbases = 0, nsteps = 0, nevents = 0;
  const char *const *tags = json_strv(json_get(doc, "tags"));
  for (; tags && tags[ntags]; ntags++) {}
  const char **bases = pairs(json_get(doc, "bases"), &nbases), **steps = pairs(json_get(doc, "steps"), &nsteps);
  if (!tags || !bases || !steps) hand_over("the record is malformed");
  store_ev *events = record_events(doc, &nevents);
  const char *image = json_str(json_get(doc, "image"), NULL);
  if (!image) hand_over("the record is malformed");
  berr_t err = {0};
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
  record_print_exit(doc);
}
