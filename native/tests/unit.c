/* Unit tests of the monitor's pure pieces. Prints TAP; exits non-zero on failure. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/uio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../monitor/attach.h"
#include "../monitor/json.h"
#include "../monitor/logfile.h"
#include "../monitor/monitor-private.h"
#include "../monitor/mountfd.h"
#include "../monitor/rootfs.h"
#include "../monitor/sealed.h"
#include "../monitor/strbuf.h"
#include "../monitor/util.h"
#include "../launcher/plan.h"
#include "../launcher/ref.h"
#include "../launcher/rows.h"

static int n, failed;

#define CHECK(cond, name)                                                                                              \
  do {                                                                                                                 \
    n++;                                                                                                               \
    if (cond)                                                                                                          \
      printf("ok %d - %s\n", n, name);                                                                                 \
    else {                                                                                                             \
      printf("not ok %d - %s (%s:%d)\n", n, name, __FILE__, __LINE__);                                                 \
      failed++;                                                                                                        \
    }                                                                                                                  \
  } while (0)

static void test_json(void)
{
  berr_t err = {0};
  jval *v = json_parse(
      "{\"a\": [1, 2.5, \"x\\n\\u00e9\\ud83d\\ude00\"], \"b\": true, \"c\": null, \"d\": {\"e\": \"f\"}}", &err);
  CHECK(v != NULL, "json parses an object");
  const jval *a = json_get(v, "a");
  CHECK(a && a->t == J_ARR && a->n == 3, "json array");
  CHECK(json_num(&a->items[1], 0) == 2.5, "json number");
  CHECK(!strcmp(json_str(&a->items[2], ""), "x\n\xc3\xa9\xf0\x9f\x98\x80"), "json string escapes and surrogate pairs");
  CHECK(json_bool(json_get(v, "b"), false), "json true");
  CHECK(json_get(v, "c")->t == J_NULL, "json null");
  CHECK(!strcmp(json_str(json_get(json_get(v, "d"), "e"), ""), "f"), "json nested");
  const char **sv = json_strv(json_get(v, "a"));
  CHECK(sv[0] && !sv[1], "json_strv keeps only strings");
  free(sv);
  json_free(v);
  CHECK(json_parse("{\"a\": }", &err) == NULL && strstr(err.msg, "offset"), "json error names the offset");
  CHECK(json_parse("[1, 2", &err) == NULL, "json unterminated array");
  CHECK(json_parse("{} x", &err) == NULL, "json trailing garbage");
}

/* text placed so that its NUL is the last byte before an unmapped page: a read past the end faults */
static char *guarded(const char *text)
{
  size_t page = 4096, n = strlen(text) + 1, pages = (n + page - 1) / page;
  char *map = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED) return NULL;
  mprotect(map + pages * page, page, PROT_NONE);
  char *at = map + pages * page - n;
  memcpy(at, text, n);
  return at;
}

static void test_json_bounds(void)
{
  berr_t err = {0};
  /* a string that ends in a backslash: the scan for its length stopped past the NUL */
  const char *cut[] = {"\"abc\\", "[\"\\", "{\"k\\", "\"\\u12", "\"\\ud83d\\", "\"\\ud83d\\u"};
  for (size_t k = 0; k < sizeof cut / sizeof cut[0]; k++) {
    char *t = guarded(cut[k]);
    CHECK(t && json_parse(t, &err) == NULL && strstr(err.msg, "offset"),
          "json: a cut escape is an error, not a read past the end");
  }
  CHECK(json_parse("\"\\ud83d\\u0041\"", &err) == NULL, "json: a high surrogate without its low half is refused");
  CHECK(json_parse("0x10", &err) == NULL && json_parse("-", &err) == NULL && json_parse("1.", &err) == NULL &&
            json_parse("01", &err) == NULL && json_parse("-inf", &err) == NULL && json_parse("nan", &err) == NULL,
        "json: numbers follow the JSON grammar");
  jval *v = json_parse("[-0.5e+2, 10, 0]", &err);
  CHECK(v && v->n == 3 && v->items[0].num == -50 && v->items[1].num == 10, "json: valid numbers");
  json_free(v);
  CHECK(json_parse("\"a\x01\"", &err) == NULL, "json: a raw control character in a string is refused");
}

/* state.json with an error whose escaped form is longer than the old 2 KiB buffer */
static void test_state_json(void)
{
  char dir[] = "/tmp/berth-state-test-XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "state dir");
  monitor_opts o = {.state_dir = dir, .id = "x"};
  static monitor m;
  memset(&m, 0, sizeof m);
  m.o = &o;
  m.status = "exited";
  snprintf(m.started_at, sizeof m.started_at, "0001-01-01T00:00:00Z");
  snprintf(m.finished_at, sizeof m.finished_at, "0001-01-01T00:00:00Z");
  memset(m.error, '<', sizeof m.error - 1); /* each one escapes to \u003c */
  m.error[sizeof m.error - 1] = 0;
  m.exit_code = 127;
  monitor_write_state(&m);
  char path[300];
  snprintf(path, sizeof path, "%s/state.json", dir);
  berr_t err = {0};
  char *text = read_file(path, NULL, &err);
  jval *st = text ? json_parse(text, &err) : NULL;
  CHECK(st != NULL, "state.json with a long error is valid JSON");
  CHECK(st && !strcmp(json_str(json_get(st, "error"), ""), m.error), "state.json keeps the whole error");
  CHECK(st && json_num(json_get(st, "exitCode"), 0) == 127 && !strcmp(json_str(json_get(st, "status"), ""), "exited"),
        "state.json fields after the error");
  json_free(st);
  free(text);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0, "cleanup");
}

/* The escaped form of n bytes of in (the buffer lives until the next call). */
static const char *escaped(const char *in, size_t n, json_style style)
{
  static strbuf b;
  sb_free(&b);
  sb_init(&b);
  sb_json_escape(&b, in, n, style);
  return b.p ? b.p : "";
}

static void test_log(void)
{
  char out[256];
  CHECK(!strcmp(escaped("a\"b\\c\n<>&\t\x01", 11, JSON_GO), "a\\\"b\\\\c\\n\\u003c\\u003e\\u0026\\t\\u0001"),
        "json escape as Go encodes");
  CHECK(!strcmp(escaped("\xff"
                        "ok\xe2\x80\xa8",
                        6, JSON_GO),
                "\\ufffdok\\u2028"),
        "invalid UTF-8 and U+2028");
  CHECK(!strcmp(escaped("\xc3\xa9", 2, JSON_GO), "\xc3\xa9"), "valid UTF-8 passes through");
  CHECK(!strcmp(escaped("<\b\f\xe2\x80\xa8", 6, JSON_JS), "<\\b\\f\xe2\x80\xa8"), "json escape as JSON.stringify");
  strbuf eb;
  sb_init_fixed(&eb, out, sizeof out);
  log_entry(&eb, "hi\n", 3, 1, "2026-01-01T00:00:00Z");
  CHECK(!strcmp(out, "{\"log\":\"hi\\n\",\"stream\":\"stderr\",\"time\":\"2026-01-01T00:00:00Z\"}\n") &&
            !eb.truncated && eb.len == strlen(out),
        "log entry");
  char small[10];
  sb_init_fixed(&eb, small, sizeof small);
  sb_json_str(&eb, "0123456789", JSON_GO);
  CHECK(eb.truncated && eb.len == sizeof small - 1 && small[sizeof small - 1] == 0,
        "fixed storage is never overrun: the text is cut, NUL terminated and marked");
  strbuf hb;
  sb_init(&hb);
  for (int k = 0; k < 1000; k++) sb_printf(&hb, "%s%d", k ? "," : "[", k);
  sb_putc(&hb, ']');
  berr_t jerr = {0};
  jval *arr = json_parse(hb.p, &jerr);
  CHECK(arr && arr->n == 1000 && arr->items[999].num == 999, "the heap buffer grows");
  json_free(arr);
  sb_free(&hb);
  char ts[40];
  struct timespec t = {1767225600, 120000000};
  rfc3339nano(ts, &t);
  CHECK(!strcmp(ts, "2026-01-01T00:00:00.12Z"), "RFC3339Nano trims zeros");
  t.tv_nsec = 0;
  rfc3339nano(ts, &t);
  CHECK(!strcmp(ts, "2026-01-01T00:00:00Z"), "RFC3339Nano without fraction");
  struct timespec d1 = {951782400, 0}; /* a leap day */
  rfc3339nano(ts, &d1);
  CHECK(!strcmp(ts, "2000-02-29T00:00:00Z"), "RFC3339 date of a leap day");
  struct timespec d2 = {4107542399, 999999999};
  rfc3339nano(ts, &d2);
  CHECK(!strcmp(ts, "2100-02-28T23:59:59.999999999Z"), "RFC3339 date in 2100 (no leap day)");
  struct timespec d3 = {0, 1};
  rfc3339nano(ts, &d3);
  CHECK(!strcmp(ts, "1970-01-01T00:00:00.000000001Z"), "RFC3339 at the epoch");
  char fields_in[] = "36 25 0:32 / /sys/fs/cgroup/memory rw,nosuid";
  char *f[6];
  CHECK(split_fields(fields_in, f, 6) == 6 && !strcmp(f[4], "/sys/fs/cgroup/memory") && !strcmp(f[5], "rw,nosuid"),
        "split_fields");
  rotated_name(out, sizeof out, "/x/ctr.log", 2);
  CHECK(!strcmp(out, "/x/ctr.log.2"), "rotated name");
}

static void test_logfile(void)
{
  char dir[] = "/tmp/berth-monitor-test-XXXXXX";
  CHECK(mkdtemp(dir) != NULL, "temp dir");
  char path[256];
  snprintf(path, sizeof path, "%s/ctr.log", dir);
  logfile lf;
  CHECK(logfile_open(&lf, path, 300, 2) == 0, "open log");
  for (int i = 0; i < 20; i++) logfile_feed(&lf, 0, "0123456789\n", 11);
  logfile_feed(&lf, 1, "partial", 7);
  logfile_close(&lf);
  struct stat st;
  char p1[300], p2[300];
  snprintf(p1, sizeof p1, "%s.1", path);
  snprintf(p2, sizeof p2, "%s.2", path);
  CHECK(stat(path, &st) == 0 && st.st_size <= 300, "rotated file within max-size");
  CHECK(stat(p1, &st) == 0, "one rotated file");
  CHECK(stat(p2, &st) != 0, "no more than max-file files");
  berr_t err = {0};
  char *text = read_file(path, NULL, &err);
  CHECK(text && strstr(text, "\"log\":\"partial\",\"stream\":\"stderr\""), "partial line flushed at close");
  free(text);
  /* a 16 KiB chunk without newline is cut into a partial entry */
  logfile lf2;
  snprintf(path, sizeof path, "%s/big.log", dir);
  logfile_open(&lf2, path, 0, 1);
  char big[LOG_PARTIAL_MAX + 10];
  memset(big, 'x', sizeof big);
  logfile_feed(&lf2, 0, big, sizeof big);
  logfile_close(&lf2);
  text = read_file(path, NULL, &err);
  int lines = 0;
  for (char *p = text; p && *p; p++) lines += *p == '\n';
  CHECK(lines == 2, "16 KiB lines are split into partial entries");
  free(text);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  CHECK(system(cmd) == 0, "cleanup");
}

static char trim_buf[3 * 4096] __attribute__((aligned(4096)));

static void test_trim(void)
{
  memset(trim_buf, 'x', sizeof trim_buf);
  trim_memory(trim_buf + 100, 2 * 4096);
  CHECK(trim_buf[99] == 'x' && trim_buf[4095] == 'x', "trim keeps the partial page before");
  CHECK(trim_buf[4096] == 0 && trim_buf[2 * 4096 - 1] == 0, "trim gives back the whole page inside");
  CHECK(trim_buf[2 * 4096] == 'x' && trim_buf[2 * 4096 + 99] == 'x', "trim keeps the partial page after");
}

static void test_restart(void)
{
  restart_policy p;
  CHECK(restart_parse("no", &p) == 0 && p.kind == RESTART_NO, "restart no");
  CHECK(restart_parse("on-failure:3", &p) == 0 && p.kind == RESTART_ON_FAILURE && p.max_retries == 3, "on-failure:3");
  CHECK(restart_parse("on-failure:x", &p) < 0, "on-failure:x refused");
  CHECK(restart_parse("sometimes", &p) < 0, "unknown policy refused");
  restart_parse("on-failure:3", &p);
  CHECK(restart_should(&p, 1, 2, false) && !restart_should(&p, 1, 3, false) && !restart_should(&p, 0, 0, false),
        "on-failure counts and needs a failure");
  restart_parse("always", &p);
  CHECK(restart_should(&p, 0, 100, false) && !restart_should(&p, 0, 0, true), "always, unless stopped by the user");
  CHECK(restart_backoff(0, 0) == 100 && restart_backoff(100, 50) == 200 && restart_backoff(40000, 1) == 60000,
        "back-off doubles to a minute");
  CHECK(restart_backoff(3200, 10000) == 100, "back-off resets after 10 s of running");
}

static void test_frames_and_flags(void)
{
  unsigned char h[8];
  frame_header(h, FRAME_STDERR, 0x01020304);
  CHECK(h[0] == 2 && h[4] == 1 && h[7] == 4, "frame header");
  char buf[16] = {1, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', 'c'};
  int type;
  const char *payload;
  uint32_t len;
  CHECK(frame_parse(buf, 10, &type, &payload, &len) == 0, "incomplete frame");
  CHECK(frame_parse(buf, 11, &type, &payload, &len) == 11 && type == 1 && len == 3 && !memcmp(payload, "abc", 3),
        "frame parse");
  unsigned long set = 0, clear = 0, prop = 0;
  CHECK(mount_flag("ro", &set, &clear, &prop) && set == MS_RDONLY, "ro flag");
  CHECK(mount_flag("rbind", &set, &clear, &prop) && (set & MS_REC) && (set & MS_BIND), "rbind flag");
  CHECK(mount_flag("rslave", &set, &clear, &prop) && prop == (MS_SLAVE | MS_REC), "propagation flag");
  CHECK(!mount_flag("size=65536k", &set, &clear, &prop), "data words are not flags");
}

/* Where an O_PATH fd points, as a host path. */
static const char *fd_path(int fd)
{
  static char out[4096];
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, out, sizeof out - 1);
  out[n > 0 ? n : 0] = 0;
  return out;
}

static void test_resolve(void)
{
  char root[] = "/tmp/berth-root-XXXXXX";
  CHECK(mkdtemp(root) != NULL, "root dir");
  char p[512];
  berr_t err = {0};
  snprintf(p, sizeof p, "%s/real", root);
  mkdir(p, 0755);
  snprintf(p, sizeof p, "%s/abs", root);
  CHECK(symlink("/real", p) == 0, "absolute link");
  snprintf(p, sizeof p, "%s/up", root);
  CHECK(symlink("../../../../etc", p) == 0, "escaping link");
  snprintf(p, sizeof p, "%s/dangling", root);
  CHECK(symlink("/nowhere/x", p) == 0, "dangling link");
  snprintf(p, sizeof p, "%s/magic", root);
  CHECK(symlink("/proc/self/root", p) == 0, "a link to /proc/self/root");
  int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd = open_in_root(rootfd, "/abs/x", 'd', &err);
  snprintf(p, sizeof p, "%s/real/x", root);
  CHECK(fd >= 0 && !strcmp(fd_path(fd), p), "absolute links resolve inside the root");
  close(fd);
  fd = open_in_root(rootfd, "/up/passwd", 'f', &err);
  snprintf(p, sizeof p, "%s/etc/passwd", root);
  CHECK(fd >= 0 && !strcmp(fd_path(fd), p), "climbing links stop at the root");
  close(fd);
  struct stat st;
  CHECK(stat(p, &st) == 0 && S_ISREG(st.st_mode), "file mount points are created inside");
  fd = open_in_root(rootfd, "/real/../../../x/y", 'd', &err);
  snprintf(p, sizeof p, "%s/x/y", root);
  CHECK(fd >= 0 && !strcmp(fd_path(fd), p), "dot-dot stops at the root");
  close(fd);
  fd = open_in_root(rootfd, "/dangling/y", 'd', &err);
  snprintf(p, sizeof p, "%s/nowhere/x/y", root);
  CHECK(fd >= 0 && !strcmp(fd_path(fd), p), "a dangling link's target is made inside the root");
  close(fd);
  fd = open_in_root(rootfd, "/magic/z", 'd', &err);
  snprintf(p, sizeof p, "%s/proc/self/root/z", root);
  CHECK(fd >= 0 && !strcmp(fd_path(fd), p), "a link to /proc/self/root is only text inside the root");
  close(fd);
  CHECK(open_in_root(rootfd, "/missing", 0, &err) < 0, "without create a missing path is an error");
  close(rootfd);
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", root);
  CHECK(system(cmd) == 0, "cleanup");
}

/* Item 15 of issue 13: a container sharing a volume swaps a directory for a symlink to the host's
 * tree between the resolution of a mount's destination and the mount. The mount must land on the
 * directory that was resolved, inside the root, never where the symlink points. Run in a private
 * mount namespace (needs root). */
static void test_mount_race(void)
{
  if (geteuid() != 0) {
    printf("ok %d - # SKIP the mount race needs root\n", ++n);
    return;
  }
  char base[] = "/tmp/berth-race-XXXXXX";
  CHECK(mkdtemp(base) != NULL, "race dir");
  char root[600], host[600], src[600], p[700];
  snprintf(root, sizeof root, "%s/root", base);
  snprintf(host, sizeof host, "%s/host", base); /* stands for the host's / */
  snprintf(src, sizeof src, "%s/src", base);
  snprintf(p, sizeof p, "%s/data/sub/mnt", root);
  mkdir_p(p, 0755);
  snprintf(p, sizeof p, "%s/mnt", host);
  mkdir_p(p, 0755);
  mkdir_p(src, 0755);
  snprintf(p, sizeof p, "%s/marker", src);
  close(open(p, O_CREAT | O_WRONLY, 0644));
  pid_t pid = fork();
  if (pid == 0) {
    if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) _exit(2);
    berr_t err = {0};
    int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    int dst = open_in_root(rootfd, "/data/sub/mnt", 'd', &err);
    if (dst < 0) _exit(3);
    /* the racer: the directory goes aside, a symlink to the host's tree takes its place */
    char sub[700], aside[700];
    snprintf(sub, sizeof sub, "%s/data/sub", root);
    snprintf(aside, sizeof aside, "%s/data/sub.orig", root);
    if (rename(sub, aside) < 0 || symlink(host, sub) < 0) _exit(4);
    if (bind_at(src, true, MS_RDONLY, 0, dst, "/data/sub/mnt", &err) < 0) _exit(5);
    char landed[800], outside[800];
    snprintf(landed, sizeof landed, "%s/mnt/marker", aside);
    snprintf(outside, sizeof outside, "%s/mnt/marker", host);
    struct stat st;
    _exit(stat(landed, &st) == 0 && stat(outside, &st) < 0 ? 0 : 6);
  }
  int status = -1;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "a mount lands on the resolved directory, not where a swapped-in symlink points");
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", base);
  CHECK(system(cmd) == 0, "cleanup");
}

static void test_launcher(void)
{
  char out[600];
  const char *cases[][2] = {
      {"busybox", "docker.io/library/busybox:latest"}, {"bb:v1", "docker.io/library/bb:v1"},
      {"user/app", "docker.io/user/app:latest"},       {"localhost/x:y", "localhost/x:y"},
      {"example.com/a/b:1.0", "example.com/a/b:1.0"},  {"docker.io/library/bb", "docker.io/library/bb:latest"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
    CHECK(ref_normalize(cases[k][0], out, sizeof out) == 0 && !strcmp(out, cases[k][1]), cases[k][0]);
  const char *refused[] = {"localhost:5000/x", "bb@sha256:00", "Upper", "bb:", "a//b", "/bb", "bb:-x", ""};
  for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++)
    CHECK(ref_normalize(refused[k], out, sizeof out) < 0, "a reference the launcher leaves to the engine");

  char *q = json_quote("a\"b\\c\n\t\x01\xc3\xa9");
  CHECK(!strcmp(q, "\"a\\\"b\\\\c\\n\\t\\u0001\xc3\xa9\""), "json_quote escapes as JSON.stringify");
  free(q);
  plan_values v = {.id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                   .name = "n1",
                   .image = "bb",
                   .created = "T",
                   .cmd_json = "\"sh\",\"-c\""};
  char *f = plan_fill("{\"Hostname\":\"@BERTH-ID12@\",\"Run\":\"/r/c/"
                      "@BERTH-ID12@@16@\",\"Id\":\"@BERTH-ID12@@16@@BERTH-ID64@------------------------------------\","
                      "\"Cmd\":[\"@BERTH-CMD@\"],\"Name\":\"@BERTH-NAME@\",\"Image\":\"@BERTH-IMAGE@\"}",
                      &v);
  CHECK(f &&
            !strcmp(f, "{\"Hostname\":\"0123456789ab\",\"Run\":\"/r/c/"
                       "0123456789abcdef\",\"Id\":\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\","
                       "\"Cmd\":[\"sh\",\"-c\"],\"Name\":\"n1\",\"Image\":\"bb\"}"),
        "plan_fill replaces the ID, its prefixes, the command and the names");
  free(f);
  CHECK(plan_fill("{\"StartedAt\":\"@BERTH-STARTED@\"}", &v) == NULL, "plan_fill refuses a marker it has no value for");
  CHECK(plan_fill("@BERTH-OTHER@", &v) == NULL, "plan_fill refuses an unknown marker");
}

/* what the launcher writes into the store stays JSON however long the name, image or message */
static void test_launcher_rows(void)
{
  berr_t err = {0};
  char msg[1100], name[300], image[600];
  memset(msg, '"', sizeof msg - 1); /* each one escapes to two bytes */
  msg[sizeof msg - 1] = 0;
  char *st = exec_failed_state(127, msg, "2026-01-01T00:00:00Z");
  jval *v = json_parse(st, &err);
  CHECK(v && !strcmp(json_str(json_get(v, "error"), ""), msg) && json_num(json_get(v, "exitCode"), 0) == 127 &&
            json_get(v, "stoppedByUser"),
        "the state of a failed exec is complete JSON with a long message");
  json_free(v);
  free(st);
  memset(name, 'n', sizeof name - 1);
  name[sizeof name - 1] = 0;
  memset(image, '\\', sizeof image - 1);
  image[sizeof image - 1] = 0;
  char *a = event_attrs_with(name, image, "exitCode", "1");
  v = json_parse(a, &err);
  CHECK(v && !strcmp(json_str(json_get(v, "image"), ""), image) && !strcmp(json_str(json_get(v, "exitCode"), ""), "1"),
        "event attributes are complete JSON with a long image");
  json_free(v);
  free(a);
  a = event_attrs(name, image);
  v = json_parse(a, &err);
  CHECK(v && !strcmp(json_str(json_get(v, "name"), ""), name), "event attributes");
  json_free(v);
  free(a);
}

/* The launcher's stamp: the build's hash file under the package, and the launcher's own size and mtime. */
static void test_plan_stamp(void)
{
  char base[] = "/tmp/berth-stamp-XXXXXX", path[512], exe[512], out[192], want[192];
  berr_t err = {0};
  CHECK(mkdtemp(base) != NULL, "stamp: a temporary package");
  snprintf(path, sizeof path, "mkdir -p %s/native/build/Release %s/dist/cli/bundle", base, base);
  CHECK(system(path) == 0, "stamp: the package's directories");
  snprintf(exe, sizeof exe, "%s/native/build/Release/berth-launch", base);
  CHECK(write_file_atomic(exe, "launcher bytes", 14, &err) == 0, "stamp: a launcher");
  CHECK(plan_stamp(exe, out, sizeof out, &err) < 0 && strstr(err.msg, BERTH_PLAN_STAMP_FILE),
        "stamp: none without the build's file");
  const char *hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  snprintf(path, sizeof path, "%s/%s", base, BERTH_PLAN_STAMP_FILE);
  CHECK(write_file_atomic(path, "0123456789abcdef\n", 17, &err) == 0 && plan_stamp(exe, out, sizeof out, &err) < 0,
        "stamp: a short hash is refused");
  char text[80];
  snprintf(text, sizeof text, "%s\n", hash);
  CHECK(write_file_atomic(path, text, strlen(text), &err) == 0, "stamp: the build's hash");
  struct stat st;
  stat(exe, &st);
  snprintf(want, sizeof want, "%s:%lld:%lld", hash, (long long)st.st_size,
           (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
  CHECK(plan_stamp(exe, out, sizeof out, &err) == 0 && !strcmp(out, want), "stamp: the hash, size and mtime");
  CHECK(plan_stamp(exe, out, 80, &err) < 0, "stamp: a short buffer is refused");
  snprintf(path, sizeof path, "rm -rf %s", base);
  CHECK(system(path) == 0, "stamp: cleanup");
}

/* A page of the memfd held by a pipe (vmsplice) makes F_SEAL_WRITE fail with EBUSY until the
 * pipe lets it go; add_seals waits for that instead of failing at once. */
static void *drain_later(void *arg)
{
  int *p = arg;
  struct timespec pause = {0, 100 * 1000 * 1000};
  nanosleep(&pause, NULL);
  char buf[4096];
  while (read(p[0], buf, sizeof buf) > 0) {}
  return NULL;
}

static void test_add_seals(void)
{
  int fd = memfd_create("seal-test", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  CHECK(fd >= 0 && ftruncate(fd, 4096) == 0, "a memfd of one page");
  void *page = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
  int p[2];
  CHECK(page != MAP_FAILED && pipe(p) == 0, "mapped, and a pipe");
  struct iovec iov = {page, 4096};
  CHECK(vmsplice(p[1], &iov, 1, 0) == 4096, "the page spliced into the pipe");
  close(p[1]);
  munmap(page, 4096); /* a shared mapping that could be made writable refuses the seal for good */
  int seals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;
  int busy = fcntl(fd, F_ADD_SEALS, seals) < 0 && errno == EBUSY;
  CHECK(busy, "while the pipe holds the page, a single F_ADD_SEALS fails with EBUSY");
  pthread_t t;
  pthread_create(&t, NULL, drain_later, p);
  CHECK(add_seals(fd, seals) == 0, "add_seals succeeds once the pipe lets the page go");
  pthread_join(t, NULL);
  CHECK((fcntl(fd, F_GET_SEALS) & seals) == seals, "the seals are on");
  close(p[0]);
  close(fd);
}

int main(void)
{
  test_json();
  test_json_bounds();
  test_state_json();
  test_log();
  test_logfile();
  test_trim();
  test_restart();
  test_frames_and_flags();
  test_resolve();
  test_mount_race();
  test_launcher();
  test_launcher_rows();
  test_plan_stamp();
  test_add_seals();
  printf("1..%d\n", n);
  return failed ? 1 : 0;
}
