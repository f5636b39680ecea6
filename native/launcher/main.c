/*
 * berth-launch: the `berth` command's native front (bin/berth runs it). It
 * takes `berth [--root D] [--runroot D] run|container run [--rm] [-d]
 * [--name N] IMAGE [CMD...]` by itself when the image has a run plan
 * (src/engine/container/run-plan.ts) and hands every other command line,
 * unchanged, to Node (dist/cli/main.cjs). It hands over before it has written
 * anything; once the container's record is in the store, it sees the run
 * through as the engine would (README.md, "The native launcher"). A `build`
 * line whose build replay record still holds is answered from it (build.c), a
 * `pull` line of an image already here from its pull replay record (pull.c).
 *
 * BERTH_NATIVE_RUN=0 always hands over; BERTH_NATIVE_RUN=only never does
 * (it says why it could not take the command line and exits 125).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "berth-constants.h"
#include "launcher.h"
#include "ref.h"
#include "rows.h"
#include "../monitor/strbuf.h"

char **orig_argv;
cmdline C;

const char *self_exe(void)
{
  static char exe[PATH_MAX];
  if (!exe[0]) {
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0 || buf[0] != '/') return NULL;
    buf[n] = 0;
    memcpy(exe, buf, (size_t)n + 1);
  }
  return exe;
}

char *self_dir(void)
{
  static char dir[PATH_MAX];
  const char *exe = self_exe();
  if (!exe) return NULL;
  snprintf(dir, sizeof dir, "%s", exe);
  *strrchr(dir, '/') = 0;
  return dir;
}

/* Hand the command line to Node: <package>/dist/cli/main.cjs beside native/build/Release. */
void hand_over(const char *why)
{
  const char *mode = getenv("BERTH_NATIVE_RUN");
  if (mode && !strcmp(mode, "only")) {
    fprintf(stderr, "berth: the native run path cannot take this command line: %s\n", why);
    exit(125);
  }
  const char *dir = self_dir();
  char main_js[PATH_MAX];
  snprintf(main_js, sizeof main_js, "%s/../../../dist/cli/main.cjs", dir ? dir : ".");
  int argc = 0;
  while (orig_argv[argc]) argc++;
  char **argv = xmalloc(sizeof(char *) * (size_t)(argc + 2));
  argv[0] = "node";
  argv[1] = main_js;
  for (int k = 1; k <= argc; k++) argv[k + 1] = orig_argv[k];
  /* Node would read and parse NODE_EXTRA_CA_CERTS before running anything (35-40 ms); berth's
   * TLS clients read it from BERTH_EXTRA_CA_CERTS when they first connect (src/common/extra-ca.ts) */
  const char *extra_ca = getenv("NODE_EXTRA_CA_CERTS");
  if (extra_ca && *extra_ca) {
    setenv("BERTH_EXTRA_CA_CERTS", extra_ca, 1);
    unsetenv("NODE_EXTRA_CA_CERTS");
  }
  execvp("node", argv);
  fprintf(stderr, "berth: cannot run node: %s\n", strerror(errno));
  exit(125);
}

static const char *opt_value(int argc, char **argv, int *i, const char *flag)
{
  size_t n = strlen(flag);
  if (!strncmp(argv[*i], flag, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
  if (!strcmp(argv[*i], flag) && *i + 1 < argc) return argv[++*i];
  return NULL;
}

/*
 * Another engine named the docker CLI's way (DOCKER_HOST, DOCKER_CONTEXT, a
 * currentContext in the docker config): Node's client decides which engine
 * runs the command (README.md, "Other engines"). The config is looked at in
 * its first 64 KiB only; a currentContext anywhere there hands over.
 */
static bool other_engine_named(void)
{
  const char *h = getenv("DOCKER_HOST");
  const char *ctx = getenv("DOCKER_CONTEXT");
  const char *dir = getenv("DOCKER_CONFIG");
  const char *home = getenv("HOME");
  static char buf[65536];
  char path[PATH_MAX];
  int n;
  if (h && *h) return true;
  if (ctx && *ctx) return strcmp(ctx, "default") != 0;
  if (dir && *dir)
    n = snprintf(path, sizeof path, "%s/config.json", dir);
  else if (home && *home)
    n = snprintf(path, sizeof path, "%s/.docker/config.json", home);
  else
    return false;
  if (n < 0 || (size_t)n >= sizeof path) return true;
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t r = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (r <= 0) return false;
  buf[r] = 0;
  return strstr(buf, "\"currentContext\"") != NULL;
}

static void parse(int argc, char **argv, cmdline *c)
{
  int i = 1;
  bool local = false; /* --root/--runroot name the embedded engine's store */
  c->root = getenv("BERTH_ROOT");
  c->runroot = getenv("BERTH_RUNROOT");
  for (; i < argc && argv[i][0] == '-'; i++) {
    const char *v;
    if ((v = opt_value(argc, argv, &i, "--root")))
      c->root = v, local = true;
    else if ((v = opt_value(argc, argv, &i, "--runroot")))
      c->runroot = v, local = true;
    else
      hand_over("a global option");
  }
  if (!local && other_engine_named())
    hand_over("another engine is named (DOCKER_HOST, DOCKER_CONTEXT or a docker context)");
  if (!c->root || !*c->root) c->root = BERTH_LAYOUT_DEFAULT_ROOT;
  if (!c->runroot || !*c->runroot) c->runroot = BERTH_LAYOUT_DEFAULT_RUNROOT;
  if (i < argc &&
      (!strcmp(argv[i], "build") || (!strcmp(argv[i], "image") && i + 1 < argc && !strcmp(argv[i + 1], "build"))))
    build_replay(argc, argv);
  if (i < argc &&
      (!strcmp(argv[i], "pull") || (!strcmp(argv[i], "image") && i + 1 < argc && !strcmp(argv[i + 1], "pull"))))
    pull_replay(argc, argv);
  if (i < argc && !strcmp(argv[i], "container")) i++;
  if (i >= argc || strcmp(argv[i], "run")) hand_over("not a run command");
  for (i++; i < argc && argv[i][0] == '-'; i++) {
    const char *v;
    if (!strcmp(argv[i], "--rm"))
      c->rm = true;
    else if (!strcmp(argv[i], "-d") || !strcmp(argv[i], "--detach"))
      c->detach = true;
    else if ((v = opt_value(argc, argv, &i, "--name")))
      c->name = v;
    else
      hand_over("an option other than --rm, -d and --name");
  }
  if (i >= argc) hand_over("no image");
  c->image = argv[i];
  c->cmd = argv + i + 1;
  c->ncmd = argc - i - 1;
}

/* docker's rule, as names.ts NAME_RE: both from native/constants.json containerName */
static bool valid_name(const char *n)
{
  if (*n == '/') n++;
  size_t len = strlen(n);
  return len >= BERTH_CONTAINER_NAME_MIN_LENGTH && strspn(n, BERTH_CONTAINER_NAME_FIRST_CHARS_SET) >= 1 &&
         strspn(n + 1, BERTH_CONTAINER_NAME_REST_CHARS_SET) == len - 1;
}

static unsigned rnd(unsigned n)
{
  unsigned v = 0;
  if (getrandom(&v, sizeof v, 0) != sizeof v) v = (unsigned)getpid() ^ (unsigned)monotonic_ms();
  return v % n;
}

static void random_name(const jval *names, int attempt, char *out, size_t len)
{
  const jval *a = json_get(names, "adjectives"), *s = json_get(names, "surnames");
  const char *x = json_str(&a->items[rnd((unsigned)a->n)], "x"), *y = json_str(&s->items[rnd((unsigned)s->n)], "y");
  if (attempt < 10)
    snprintf(out, len, "%s_%s", x, y);
  else
    snprintf(out, len, "%s_%s%u", x, y, rnd(10));
}

/* A JSON array of n strings; with bare, its items without the brackets. */
static char *json_array(const char *const *v, int n, bool bare)
{
  strbuf b;
  sb_init(&b);
  if (!bare) sb_putc(&b, '[');
  for (int k = 0; k < n; k++) {
    if (k) sb_putc(&b, ',');
    sb_json_str(&b, v[k], JSON_JS);
  }
  if (!bare) sb_putc(&b, ']');
  return sb_take(&b);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st, (void)ftw;
  if (flag == FTW_DP)
    rmdir(path);
  else
    unlink(path);
  return 0;
}

void remove_tree(const char *dir)
{
  nftw(dir, rm_entry, 32, FTW_DEPTH | FTW_PHYS);
}

static int write_plain(const char *path, const char *data, mode_t mode)
{
  autoclose int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0 || write_all(fd, data, strlen(data)) < 0) return -1;
  return 0;
}

/* The plan's events of another type (network connect, disconnect), their markers filled. */
static store_ev *plan_events(const jval *list, const plan_values *v, int *n)
{
  *n = 0;
  if (!list || list->t != J_ARR || !list->n) return NULL;
  store_ev *ev = xmalloc(sizeof(store_ev) * list->n);
  for (size_t k = 0; k < list->n; k++) {
    const jval *e = &list->items[k];
    ev[k] = (store_ev){.type = json_str(json_get(e, "type"), "network"),
                       .action = json_str(json_get(e, "action"), ""),
                       .actor = json_str(json_get(e, "actor"), ""),
                       .attrs = plan_fill(json_str(json_get(e, "attributes"), "{}"), v)};
    if (!ev[k].attrs) ev[k].attrs = "{}";
  }
  *n = (int)list->n;
  return ev;
}

/* Write the plan's files of a directory ([path, content, mode], relative); -1 when one cannot be written. */
static int write_files(const char *dir, const jval *files, const plan_values *v)
{
  for (size_t k = 0; files && k < files->n; k++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, json_str(&files->items[k].items[0], ""));
    autofree char *content = plan_fill(json_str(&files->items[k].items[1], ""), v);
    if (!content || write_plain(path, content, (mode_t)json_num(&files->items[k].items[2], 0644)) < 0) return -1;
  }
  return 0;
}

static const char *const *str_list(const jval *arr, int *n)
{
  const char **v = json_strv(arr);
  for (*n = 0; v && v[*n]; (*n)++) {}
  return v;
}

int main(int argc, char **argv)
{
  orig_argv = argv;
  const char *mode = getenv("BERTH_NATIVE_RUN");
  if (mode && !strcmp(mode, "0")) hand_over("BERTH_NATIVE_RUN=0");
  parse(argc, argv, &C);
  if (geteuid() != 0) hand_over("not root");
  if (C.name && !valid_name(C.name)) hand_over("an invalid name");
  char tag[600], image_id[128];
  if (ref_normalize(C.image, tag, sizeof tag) < 0) hand_over("a reference for the engine to resolve");
  store_t store = {0};
  berr_t err = {0};
  if (store_open(&store, C.root, &err) < 0) hand_over(err.msg);
  if (store_tag(&store, tag, image_id, sizeof image_id, &err) != 0) hand_over("the image is not tagged so");
  plan_t plan;
  const char *variant = C.rm ? (C.detach ? "rm,detach" : "rm") : (C.detach ? "detach" : "");
  char stamp[192];
  const char *exe = self_exe();
  if (!exe) hand_over("cannot read /proc/self/exe");
  if (plan_stamp(exe, stamp, sizeof stamp, &err) < 0) hand_over(err.msg);
  if (plan_load(&plan, C.root, C.runroot, image_id, variant, stamp, &err) < 0) hand_over(err.msg);
  const jval *doc = plan.doc;

  /* the command: the one given, else the image's; with the entrypoint before it */
  int nep = 0, ndef = 0, nlayers = 0;
  const char *const *ep = str_list(json_get(doc, "entrypoint"), &nep);
  const char *const *def = str_list(json_get(doc, "cmd"), &ndef);
  const char *const *cmd = C.ncmd ? (const char *const *)C.cmd : def;
  int ncmd = C.ncmd ? C.ncmd : ndef;
  if (!ncmd) hand_over("no command: the engine says what is missing");
  const char **full = xmalloc(sizeof(char *) * (size_t)(nep + ncmd + 1));
  for (int k = 0; k < nep; k++) full[k] = ep[k];
  for (int k = 0; k < ncmd; k++) full[nep + k] = cmd[k];
  autofree char *cmd_json = json_array(cmd, ncmd, true), *args_json = json_array(full + 1, nep + ncmd - 1, false);
  const char *const *layers = str_list(json_get(doc, "layers"), &nlayers);
  autofree char *layers_arr = json_array(layers, nlayers, false);

  /* the ID, name and time */
  unsigned char raw[32];
  char id[65], name[160], created[40], dir[PATH_MAX], run_dir[PATH_MAX];
  if (getrandom(raw, sizeof raw, 0) != sizeof raw) hand_over("no random bytes");
  for (int k = 0; k < 32; k++) sprintf(id + 2 * k, "%02x", raw[k]);
  now_rfc3339nano(created);
  snprintf(dir, sizeof dir, "%s/" BERTH_LAYOUT_CONTAINERS "/%s", C.root, id);
  snprintf(run_dir, sizeof run_dir, "%s/" BERTH_LAYOUT_CONTAINER_RUN "/%.16s", C.runroot, id);
  plan_values v = {.id = id, .name = name, .image = C.image, .created = created, .cmd_json = cmd_json};
  /* the default bridge: an address in the record's transaction, events, the files that name the address */
  const jval *net = json_get(doc, "network");
  if (net && net->t != J_OBJ) net = NULL;
  int nevents = 0, nremove = 0;
  store_ev *events = net ? plan_events(json_get(net, "events"), &v, &nevents) : NULL;
  store_ev *remove_events = net ? plan_events(json_get(net, "removeEvents"), &v, &nremove) : NULL;
  ctr_row row = {0};

  /* the container's directories and files, then its record: a taken random name is drawn again */
  for (int attempt = 0;; attempt++) {
    if (C.name)
      snprintf(name, sizeof name, "%s", C.name[0] == '/' ? C.name + 1 : C.name);
    else
      random_name(json_get(doc, "names"), attempt, name, sizeof name);
    char cdir[PATH_MAX];
    snprintf(cdir, sizeof cdir, "%s/" BERTH_LAYOUT_CONTAINERS, C.root);
    if (mkdir_p(cdir, 0755) < 0) hand_over("cannot create the containers directory");
    /* the plan's dirs start with the container's own ("") */
    const jval *dirs = json_get(doc, "dirs");
    bool ok = true;
    for (size_t k = 0; ok && k < dirs->n; k++) {
      char path[PATH_MAX];
      snprintf(path, sizeof path, "%s/%s", dir, json_str(&dirs->items[k].items[0], ""));
      ok = mkdir(path, (mode_t)json_num(&dirs->items[k].items[1], 0755)) == 0;
    }
    ok = ok && write_files(dir, json_get(doc, "files"), &v) == 0;
    autofree char *config = plan_fill(json_str(json_get(plan.variant, "config"), ""), &v);
    autofree char *host_config = plan_fill(json_str(json_get(plan.variant, "hostConfig"), ""), &v);
    autofree char *spec = plan_fill(json_str(json_get(doc, "spec"), ""), &v);
    char spec_path[PATH_MAX], tmp[PATH_MAX];
    snprintf(spec_path, sizeof spec_path, "%s/config.json", dir);
    snprintf(tmp, sizeof tmp, "%s.%d.tmp", spec_path, (int)getpid());
    ok = ok && config && host_config && spec && write_plain(tmp, spec, 0644) == 0 && rename(tmp, spec_path) == 0;
    if (!ok) {
      remove_tree(dir);
      hand_over("cannot write the container's files");
    }
    autofree char *attrs = event_attrs(name, C.image);
    autofree char *networks = plan_fill(json_str(json_get(plan.variant, "networks"), "{}"), &v);
    row = (ctr_row){.id = id,
                    .name = name,
                    .image_id = image_id,
                    .image_name = C.image,
                    .created = created,
                    .path = full[0],
                    .args = args_json,
                    .config = config,
                    .host_config = host_config,
                    .layers = layers_arr,
                    .networks = networks ? networks : "{}",
                    .state = json_str(json_get(doc, "state"), ""),
                    .attrs = attrs,
                    .layer_ids = layers,
                    .nlayers = nlayers,
                    .allocate = net ? json_str(json_get(net, "allocate"), NULL) : NULL,
                    .events = events,
                    .nevents = nevents};
    int rc = store_create(&store, &row, &err);
    if (rc == 0) break;
    remove_tree(dir);
    if (rc < 0) hand_over(err.msg);
    if (rc == 2) hand_over("a layer of the image is gone");
    if (rc == 3)
      hand_over("the default network has no free address: the engine takes back what stopped containers hold");
    if (C.name || attempt >= 100) hand_over("the name is taken: the engine says by whom");
  }
  autofree char *attrs = event_attrs(name, C.image);
  v.ip = row.ip;
  v.mac = row.mac;
  if (net && write_files(dir, json_get(net, "files"), &v) < 0) {
    fprintf(stderr, "Error: cannot write the container's network files in %s: %s\n", dir, strerror(errno));
    store_remove(&store, id, NULL, attrs, remove_events, nremove, &err);
    remove_tree(dir);
    return 125;
  }
  ctr_t c = {.store = &store,
             .id = id,
             .name = name,
             .dir = dir,
             .run_dir = run_dir,
             .layers = layers,
             .nlayers = nlayers,
             .attrs = attrs,
             .remove_events = remove_events,
             .nremove_events = nremove};
  return run_created(&c, &plan, &v);
}
