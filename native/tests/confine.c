/*
 * Tests of the confinement the monitor compiles: seccomp filters (seccomp.c), installed in forked
 * children that then make real syscalls, and the cgroup v2 device program (devices-bpf.c), loaded
 * into the kernel and attached to a cgroup of the v2 hierarchy (on a hybrid host: the unified
 * one) that a child joins before it opens device nodes (the kernel has no BPF_PROG_TEST_RUN for this
 * program type: ENOTSUPP on 6.18). Prints TAP; needs root for the second.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../monitor/devices-bpf.h"
#include "../monitor/json.h"
#include "../monitor/seccomp.h"

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

static void skip(const char *name, const char *why)
{
  printf("ok %d - %s # SKIP %s\n", ++n, name, why);
}

static seccomp_prog *compile(const char *text, berr_t *err)
{
  jval *v = json_parse(text, err);
  if (!v) return NULL;
  seccomp_prog *p = NULL;
  int r = seccomp_compile(v, &p, err);
  json_free(v);
  return r < 0 ? NULL : p;
}

/* A syscall the kernel ignores the arguments of: the filter still sees them. */
static long probe(unsigned long a0, unsigned long a1)
{
  long r = syscall(SYS_getppid, a0, a1, 0, 0, 0, 0);
  return r < 0 ? -errno : 0;
}

/* Run fn after installing p in a child; the child's exit code is fn's. */
static int in_child(const seccomp_prog *p, int (*fn)(void))
{
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    berr_t err = {0};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(p, &err) < 0) _exit(200);
    _exit(fn());
  }
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int deny_mkdir(void)
{
  char dir[64];
  snprintf(dir, sizeof dir, "/tmp/berth-confine-%d", (int)getpid());
  if (mkdir(dir, 0700) == 0 || errno != EPERM) return 1;
  if (rmdir(dir) == 0 || errno != ENOENT) return 2; /* not named: allowed, fails on its own */
  if (syscall(SYS_getcwd, dir, sizeof dir) >= 0 || errno != ENOSYS) return 3;
  return 0;
}

/* every comparison, across the 32-bit boundary; the rules allow getppid(a0, a1) only when they hold */
static int comparisons(void)
{
  const unsigned long big = 0x100000000ul;
  struct {
    unsigned long a0, a1;
    long want;
  } cases[] = {
      {big + 1, 0, 0},               /* R1: arg0 > 2^32 */
      {big, 0, -EPERM},              /* not above */
      {0xffffffff, 0, -EPERM},       /* smaller in the high word */
      {5, 7, 0},                     /* R2: arg0 == 5 and arg1 != 9 */
      {5, 9, -EPERM},                /* arg1 == 9 */
      {5, 9 + big, 0},               /* arg1 != 9 in the high word */
      {6, 1, 0},                     /* R3: (arg0 & 0x7e020000) == 0 and arg1 == 1 */
      {0x10000000, 1, -EPERM},       /* CLONE_NEWUSER's bit */
      {0x10000006, 1, -EPERM},       /* with others */
      {2, 3, 0},                     /* R4: arg0 <= 2 and arg1 < 2^32 */
      {2, big, -EPERM},              /* arg1 not below 2^32 */
      {1, big - 1, 0},               /* just below */
      {2, big + 5, -EPERM},          /* above in the high word */
      {3, 0, -EPERM},                /* arg0 not <= 2, and not R5 */
      {3, 0xffffffff, 0},            /* R5: arg0 >= 3 and arg1 == 2^32 - 1 */
      {3, 0xffffffff + big, -EPERM}, /* EQ compares the high word */
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
    if (probe(cases[k].a0, cases[k].a1) != cases[k].want) return (int)k + 1;
  /* personality: allowed values only, as docker's profile lists them */
  if (syscall(SYS_personality, 0xffffffffUL) < 0) return 50;
  if (syscall(SYS_personality, 0x0008UL) >= 0 || errno != EPERM) return 51;
  return 0;
}

/* two conditions on one argument are alternatives */
static int alternatives(void)
{
  if (probe(1, 0) || probe(2, 0)) return 1;
  if (probe(3, 0) != -EPERM) return 2;
  return 0;
}

#ifdef __x86_64__
static long int80(long nr)
{
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr) : "memory");
  return r;
}

static int i386_call(void)
{
  return int80(20 /* i386 getpid */) > 0 ? 0 : 1;
}

static int x32_call(void)
{
  syscall(0x40000000 | 39 /* x32 getpid */);
  return 0;
}

/* Does this kernel run i386 system calls at all? Some do not (no IA32 emulation, or a hypervisor
 * without it): int $0x80 then faults (SIGSEGV) before any filter sees it. */
static bool i386_entry(void)
{
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) _exit(i386_call());
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static bool has_i386;

static int other_arches(void)
{
  if (has_i386 && int80(64 /* i386 getppid */) != -EPERM) return 1;
  if (has_i386 && int80(20 /* i386 getpid */) <= 0) return 2;
  if (syscall(0x40000000 | 110 /* x32 getppid */) >= 0 || errno != EPERM) return 3;
  errno = 0;
  if (syscall(0x40000000 | 39 /* x32 getpid */) < 0 && errno == EPERM) return 4; /* allowed (or ENOSYS) */
  if (syscall(SYS_getppid) >= 0 || errno != EPERM) return 5;
  return 0;
}
#endif

static void test_seccomp(void)
{
  berr_t err = {0};
  seccomp_prog *p = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\","
                            "\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"mkdir\",\"mkdirat\","
                            "\"no_such_syscall\"],\"action\":\"SCMP_ACT_ERRNO\"},{\"names\":[\"getcwd\"],"
                            "\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38}]}",
                            &err);
  CHECK(p != NULL, "seccomp: a profile compiles (unknown names are skipped)");
  if (p) CHECK(in_child(p, deny_mkdir) == 0, "seccomp: mkdir is denied with EPERM, getcwd with its errnoRet");
  seccomp_free(p);

  p = compile("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":1,\"syscalls\":["
              "{\"names\":[\"exit\",\"exit_group\"],\"action\":\"SCMP_ACT_ALLOW\"},"
              "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":4294967296,"
              "\"op\":\"SCMP_CMP_GT\"}]},"
              "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":5,"
              "\"op\":\"SCMP_CMP_EQ\"},{\"index\":1,\"value\":9,\"op\":\"SCMP_CMP_NE\"}]},"
              "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":2114060288,"
              "\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"},{\"index\":1,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]},"
              "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":2,"
              "\"op\":\"SCMP_CMP_LE\"},{\"index\":1,\"value\":4294967296,\"op\":\"SCMP_CMP_LT\"}]},"
              "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":3,"
              "\"op\":\"SCMP_CMP_GE\"},{\"index\":1,\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"}]},"
              "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":0,"
              "\"op\":\"SCMP_CMP_EQ\"}]},"
              "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
              "\"value\":4294967295,\"op\":\"SCMP_CMP_EQ\"}]}]}",
              &err);
  CHECK(p != NULL, "seccomp: argument rules compile");
  int r = p ? in_child(p, comparisons) : -1;
  if (r) printf("# comparisons: case %d\n", r);
  CHECK(r == 0, "seccomp: NE, LT, LE, EQ, GE, GT and MASKED_EQ compare all 64 bits; other values get the default");
  seccomp_free(p);

  p = compile("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"exit_group\"],\"action\":"
              "\"SCMP_ACT_ALLOW\"},{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":["
              "{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_EQ\"},{\"index\":0,\"value\":2,\"op\":\"SCMP_CMP_EQ\"}]}]}",
              &err);
  CHECK(p && in_child(p, alternatives) == 0, "seccomp: conditions on the same argument are alternatives");
  seccomp_free(p);

#ifdef __x86_64__
  /* the i386 and x32 numberings, from this 64-bit process: int $0x80 and __X32_SYSCALL_BIT */
  p = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\","
              "\"SCMP_ARCH_X32\"],\"syscalls\":[{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
              &err);
  has_i386 = i386_entry();
  CHECK(p && in_child(p, other_arches) == 0,
        has_i386 ? "seccomp: i386 and x32 syscalls are looked up in their own tables"
                 : "seccomp: x32 syscalls are looked up in their own table (this kernel runs no i386 syscall: "
                   "int $0x80 faults)");
  seccomp_free(p);
  p = compile("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"]}", &err);
  CHECK(p && in_child(p, i386_call) == 128 + (has_i386 ? SIGSYS : SIGSEGV),
        has_i386 ? "seccomp: an i386 syscall is killed when the profile lists no i386"
                 : "seccomp: an i386 syscall never runs (this kernel faults int $0x80 before the filter)");
  CHECK(p && in_child(p, x32_call) == 128 + SIGSYS, "seccomp: an x32 syscall is killed when the profile lists no x32");
  seccomp_free(p);
#endif

  /* a large allow list: the tree and the leaves keep every jump in range */
  char big[40000];
  size_t len = (size_t)snprintf(big, sizeof big, "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[");
  for (int k = 0; k < 400; k++)
    len += (size_t)snprintf(big + len, sizeof big - len,
                            "%s{\"names\":[\"s%d\",\"mkdir\",\"getppid\",\"exit_group\"],"
                            "\"action\":\"SCMP_ACT_%s\"}",
                            k ? "," : "", k, k % 2 ? "ALLOW" : "LOG");
  snprintf(big + len, sizeof big - len, "]}");
  p = compile(big, &err);
  CHECK(p && p->len < 4096, "seccomp: 400 rules compile");
  seccomp_free(p);

  struct {
    const char *json, *msg;
  } bad[] = {
      {"{\"defaultAction\":\"SCMP_ACT_FOO\"}", "unknown seccomp action SCMP_ACT_FOO"},
      {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
       "\"args\":[{\"index\":7,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
       "argument index 7"},
      {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
       "\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_XX\"}]}]}",
       "unknown comparison SCMP_CMP_XX"},
      {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[],\"action\":\"SCMP_ACT_ERRNO\"}]}",
       "names is empty"},
      {"{\"defaultAction\":\"SCMP_ACT_NOTIFY\"}", "seccomp agent"},
      {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"x86\"]}", "unknown seccomp architecture x86"},
      {"{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\","
       "\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
       "value must be an unsigned integer"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    berr_t e = {0};
    seccomp_prog *q = compile(bad[k].json, &e);
    char name[160];
    snprintf(name, sizeof name, "seccomp: refused with \"%s\"", bad[k].msg);
    CHECK(!q && strstr(e.msg, bad[k].msg), name);
    seccomp_free(q);
  }
}

/* ---- devices ---------------------------------------------------------------------------------------------- */

/* docker's default rules, as the engine writes them and spec.c turns them into v1 syntax */
static char *DOCKER_RULES[] = {"a",         "c *:* m",     "b *:* m",     "c 1:3 rwm", "c 1:5 rwm",
                               "c 1:7 rwm", "c 1:8 rwm",   "c 1:9 rwm",   "c 5:0 rwm", "c 5:1 rwm",
                               "c 5:2 rwm", "c 136:* rwm", "c 10:200 rwm"};
static bool DOCKER_ALLOW[] = {false, true, true, true, true, true, true, true, true, true, true, true, true};

static void test_devrules(void)
{
  berr_t err = {0};
  dev_rule r;
  CHECK(devrule_parse("c 136:* rwm", true, &r, &err) == 0 && r.type == 'c' && r.major == 136 && r.minor == -1 &&
            r.access == 7,
        "device rule: c 136:* rwm");
  CHECK(devrule_parse("b *:* m", true, &r, &err) == 0 && r.type == 'b' && r.major == -1 && r.access == 1,
        "device rule: b *:* m");
  CHECK(devrule_parse("a", false, &r, &err) == 0 && r.type == 'a' && !r.allow, "device rule: a");
  const char *bad[] = {"x 1:3 rwm", "c 1:3", "c 1:3 rwx", "c 1:3 rr", "c 1 rwm", "c -1:3 rwm", ""};
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
    CHECK(devrule_parse(bad[k], true, &r, &err) < 0 && strstr(err.msg, "invalid device rule"), "a bad device rule");
}

static char cg2[PATH_MAX];

/* The cgroup v2 hierarchy's mount point, or NULL. */
static const char *v2_mount(void)
{
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return NULL;
  char line[4096];
  const char *found = NULL;
  while (!found && fgets(line, sizeof line, f)) {
    char *sep = strstr(line, " - cgroup2 ");
    if (!sep) continue;
    char *fields[6];
    int k = 0;
    for (char *save = NULL, *t = strtok_r(line, " ", &save); t && k < 6; t = strtok_r(NULL, " ", &save))
      fields[k++] = t;
    if (k >= 5) {
      snprintf(cg2, sizeof cg2, "%s", fields[4]);
      found = cg2;
    }
  }
  fclose(f);
  return found;
}

static char scratch[PATH_MAX];

/* In a child that joined the cgroup: what may it open? Bits of the exit code say what went wrong. */
static int probe_devices(const char *cgdir, int expect_kmsg_read)
{
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    char procs[PATH_MAX];
    snprintf(procs, sizeof procs, "%s/cgroup.procs", cgdir);
    int fd = open(procs, O_WRONLY);
    if (fd < 0 || write(fd, "0", 1) != 1) _exit(100);
    close(fd);
    int bad = 0;
    int nul = open("/dev/null", O_RDWR);
    if (nul < 0) bad |= 1;
    char blk[PATH_MAX + 16], chr[PATH_MAX + 16];
    snprintf(blk, sizeof blk, "%s/blk", scratch);
    snprintf(chr, sizeof chr, "%s/kmsg", scratch);
    unlink(blk);
    unlink(chr);
    /* mknod of any node is allowed ("b *:* m", "c *:* m"), opening what the list does not name is not */
    if (mknod(blk, S_IFBLK | 0666, makedev(7, 0)) < 0) bad |= 2;
    if (mknod(chr, S_IFCHR | 0666, makedev(1, 11)) < 0) bad |= 2;
    errno = 0;
    if (open(blk, O_RDONLY | O_NONBLOCK) >= 0 || errno != EPERM) bad |= 4;
    int k = open(chr, O_RDONLY | O_NONBLOCK);
    if (expect_kmsg_read ? k < 0 : (k >= 0 || errno != EPERM)) bad |= 8;
    if (open(chr, O_WRONLY | O_NONBLOCK) >= 0 || errno != EPERM) bad |= 16;
    _exit(bad);
  }
  int st;
  waitpid(pid, &st, 0);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int attached_programs(const char *dir)
{
  int fd = open(dir, O_RDONLY | O_DIRECTORY);
  union bpf_attr q;
  memset(&q, 0, sizeof q);
  q.query.target_fd = (uint32_t)fd;
  q.query.attach_type = BPF_CGROUP_DEVICE;
  int r = (int)syscall(SYS_bpf, BPF_PROG_QUERY, &q, sizeof q);
  close(fd);
  return r < 0 ? -1 : (int)q.query.prog_cnt;
}

static void test_devices_v2(void)
{
  berr_t err = {0};
  const char *why = geteuid() != 0 ? "needs root" : !v2_mount() ? "no cgroup v2 hierarchy is mounted" : NULL;
  if (why) {
    skip("cgroup v2 device program", why);
    return;
  }
  dev_rule rules[16];
  for (size_t k = 0; k < sizeof DOCKER_ALLOW / sizeof DOCKER_ALLOW[0]; k++)
    devrule_parse(DOCKER_RULES[k], DOCKER_ALLOW[k], &rules[k], &err);
  int fd = devbpf_load(rules, sizeof DOCKER_ALLOW / sizeof DOCKER_ALLOW[0], &err);
  if (fd < 0) printf("# %s\n", err.msg);
  CHECK(fd >= 0, "the kernel's verifier accepts the device program for docker's default rules");
  if (fd >= 0) close(fd);

  /* fail closed: a directory that is no cgroup takes no program, and says so */
  berr_t e2 = {0};
  CHECK(devbpf_apply("/tmp", DOCKER_RULES, DOCKER_ALLOW, 1, &e2) < 0 &&
            strstr(e2.msg, "attach the eBPF device program"),
        "attaching to what is not a cgroup fails");

  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s/berth-confine-test-%d", cg2, (int)getpid());
  snprintf(scratch, sizeof scratch, "/tmp/berth-confine-nodes-%d", (int)getpid());
  mkdir(scratch, 0700);
  if (mkdir(dir, 0755) < 0) {
    printf("# mkdir %s: %s\n", dir, strerror(errno));
    CHECK(0, "a cgroup in the v2 hierarchy");
    return;
  }
  /* without a program, this host lets root open both (else the checks of "allowed" below say nothing) */
  int r = probe_devices(dir, 1);
  bool open_host = r == (4 | 16);
  if (!open_host) skip("the host itself allows the devices used below", "this environment denies them already");
  int rc = devbpf_apply(dir, DOCKER_RULES, DOCKER_ALLOW, sizeof DOCKER_ALLOW / sizeof DOCKER_ALLOW[0], &err);
  if (rc < 0) printf("# %s\n", err.msg);
  CHECK(rc == 0, "the device program attaches to a v2 cgroup");
  r = probe_devices(dir, 0);
  if (r) printf("# probe: %d\n", r);
  CHECK(r == 0, "docker's rules: /dev/null opens, mknod works, a block device and /dev/kmsg do not open");

  /* applied again with other rules: the new program replaces the old */
  char *more[] = {"a", "c *:* m", "b *:* m", "c 1:3 rwm", "c 1:11 r"};
  bool more_allow[] = {false, true, true, true, true};
  CHECK(devbpf_apply(dir, more, more_allow, 5, &err) == 0 && attached_programs(dir) == 1,
        "a second apply replaces the program");
  r = probe_devices(dir, 1);
  if (r) printf("# probe: %d\n", r);
  CHECK(r == 0, "an r rule allows reading and not writing");

  char *all[] = {"a"};
  bool all_allow[] = {true};
  CHECK(devbpf_apply(dir, all, all_allow, 1, &err) == 0, "privileged: allow all");
  r = probe_devices(dir, 1);
  if (open_host)
    CHECK(r == (4 | 16), "privileged: a block device and /dev/kmsg open for writing");
  else
    skip("privileged: a block device and /dev/kmsg open for writing", "this environment denies them already");
  rmdir(dir);
  char cmd[PATH_MAX + 16];
  snprintf(cmd, sizeof cmd, "rm -rf %s", scratch);
  if (system(cmd) != 0) printf("# cleanup of %s failed\n", scratch);
}

int main(void)
{
  test_seccomp();
  test_devrules();
  test_devices_v2();
  printf("1..%d\n", n);
  return failed ? 1 : 0;
}
