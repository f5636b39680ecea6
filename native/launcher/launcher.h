/* What the launcher's files share: the command line and the ways out. */
#ifndef BERTH_LAUNCHER_H
#define BERTH_LAUNCHER_H

#include <stdbool.h>
#include <stdint.h>
#include "plan.h"
#include "store.h"

typedef struct {
  const char *root, *runroot, *image, *name;
  bool rm, detach;
  char *const *cmd;
  int ncmd;
} cmdline;

/* The command line as given, and as the launcher read it. */
extern char **orig_argv;
extern cmdline C;

/* This executable's path (native/build/Release/berth-launch), and its directory; NULL when unknown. */
const char *self_exe(void);
char *self_dir(void);
/* Hand the command line (orig_argv) to Node; with BERTH_NATIVE_RUN=only, say why not and exit 125. */
__attribute__((noreturn)) void hand_over(const char *why);
void remove_tree(const char *dir);
/* A container whose record the launcher wrote. */
typedef struct {
  store_t *store;
  const char *id, *name, *dir, *run_dir;
  const char *const *layers;
  int nlayers;
  const char *attrs;             /* of its events: {"name":...,"image":...} (rows.c) */
  const store_ev *remove_events; /* recorded between die and destroy when it is removed (network disconnect) */
  int nremove_events;
} ctr_t;

/* FNV-1a 64 of the working directory and the arguments, NUL-separated (record.ts lineHash). */
uint64_t line_hash(const char *cwd, char *const *args, int n);
/* A replay record's facts apart from the store (record.c): its version, the build of berth, root and runroot, the
 * line, whether stderr is a terminal, its files' entries. 0 when they hold, else -1 and err says which. */
int record_holds(const jval *doc, int version, const char *cwd, char *const *args, int nargs, berr_t *err);
/* The record of this line in <root>/<dir>/<line hash>.json, parsed, when record_holds says it holds; otherwise the
 * line goes to Node ("no <what> record for this line", or what does not hold). */
jval *record_for_line(const char *dir, const char *what, int version, const char *cwd, char *const *args, int nargs);
/* The record's events ([type, action, actor, attrs] each), their count in n; a malformed one hands the line over. */
store_ev *record_events(const jval *doc, int *n);
/* Print the output the record keeps, on stdout and stderr, and exit: 0, or 1 when a write failed. */
__attribute__((noreturn)) void record_print_exit(const jval *doc);
/* A `pull` line answered from its pull replay record (pull.c); hands the line to Node when it cannot be. */
__attribute__((noreturn)) void pull_replay(int argc, char **argv);

/* A `build` line answered from its build replay record (build.c); hands the line to Node when it cannot be. */
__attribute__((noreturn)) void build_replay(int argc, char **argv);

/* From a created record on: the engine's startContainer and run.ts's foreground session. Returns the exit status. */
int run_created(const ctr_t *c, plan_t *plan, plan_values *v);

#endif
