#include "cgroup.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include "devices-bpf.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

static void v1_enable_blkio_accounting(const cgroup_t *cg);

static const char *const V1_WANTED[] = {"cpu",     "cpuacct", "cpuset",  "memory", "pids",
                                        "freezer", "blkio",   "devices", NULL};

bool cgroup_is_v2(void)
{
  struct statfs st;
  return statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

static bool wanted(const char *opts, char *out, size_t outlen)
{
  /* opts: the super options, e.g. "rw,cpu,cpuacct"; keep the controllers we use */
  out[0] = 0;
  char buf[256];
  snprintf(buf, sizeof buf, "%s", opts);
  bool any = false;
  for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
    for (int k = 0; V1_WANTED[k]; k++) {
      if (strcmp(tok, V1_WANTED[k])) continue;
      if (any) strncat(out, ",", outlen - strlen(out) - 1);
      strncat(out, tok, outlen - strlen(out) - 1);
      any = true;
    }
  }
  return any;
}

/* Copy cpuset.cpus/mems from the parent where a new cpuset directory has none. */
static void cpuset_inherit(const char *dir)
{
  const char *files[] = {"cpuset.cpus", "cpuset.mems"};
  for (int k = 0; k < 2; k++) {
    char path[PATH_MAX], ppath[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, files[k]);
    berr_t err = {0};
    autofree char *cur = read_file(path, NULL, &err);
    if (!cur || (cur[0] && cur[0] != '\n')) continue;
    char parent[PATH_MAX];
    snprintf(parent, sizeof parent, "%s", dir);
    char *slash = strrchr(parent, '/');
    if (!slash) continue;
    *slash = 0;
    snprintf(ppath, sizeof ppath, "%s/%s", parent, files[k]);
    autofree char *val = read_file(ppath, NULL, &err);
    if (val && val[0] && val[0] != '\n') write_file(path, val, &err);
  }
}

/* mkdir each level of path under base; cpuset levels inherit from their parent. */
static int make_dirs(const char *base, const char *path, bool cpuset, berr_t *err)
{
  char cur[PATH_MAX];
  snprintf(cur, sizeof cur, "%s", base);
  char rel[PATH_MAX];
  snprintf(rel, sizeof rel, "%s", path);
  for (char *save = NULL, *tok = strtok_r(rel, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
    size_t n = strlen(cur);
    snprintf(cur + n, sizeof cur - n, "/%s", tok);
    if (mkdir(cur, 0755) < 0 && errno != EEXIST) return fail_errno(err, "create cgroup %s", cur);
    if (cpuset) cpuset_inherit(cur);
  }
  return 0;
}

static int v2_enable(const char *dir)
{
  /* Enable the controllers we use for the children of dir (best effort: a
   * controller the kernel lacks is skipped). */
  const char *ctrls[] = {"+cpu", "+memory", "+pids", "+io", "+cpuset"};
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/cgroup.subtree_control", dir);
  for (size_t k = 0; k < sizeof ctrls / sizeof ctrls[0]; k++) {
    berr_t err = {0};
    write_file(path, ctrls[k], &err);
  }
  return 0;
}

int cgroup_open(cgroup_t *cg, const char *path, bool create, berr_t *err)
{
  memset(cg, 0, sizeof *cg);
  if (!path || !*path) return fail(err, EINVAL, "no cgroup path");
  if (strstr(path, "..")) return fail(err, EINVAL, "invalid cgroup path %s", path);
  const char *rel = path[0] == '/' ? path + 1 : path;
  if (cgroup_is_v2()) {
    cg->v2 = true;
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "/sys/fs/cgroup/%s", rel);
    if (create) {
      /* enable controllers at each level above the leaf */
      char cur[PATH_MAX] = "/sys/fs/cgroup";
      v2_enable(cur);
      char buf[PATH_MAX];
      snprintf(buf, sizeof buf, "%s", rel);
      char *last = strrchr(buf, '/');
      if (last) {
        *last = 0;
        for (char *save = NULL, *tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
          size_t n = strlen(cur);
          snprintf(cur + n, sizeof cur - n, "/%s", tok);
          if (mkdir(cur, 0755) < 0 && errno != EEXIST) return fail_errno(err, "create cgroup %s", cur);
          v2_enable(cur);
        }
      }
      if (mkdir(dir, 0755) < 0 && errno != EEXIST) return fail_errno(err, "create cgroup %s", dir);
    }
    cg->dirs[0] = xstrdup(dir);
    cg->controllers[0] = xstrdup("unified");
    cg->n = 1;
    return 0;
  }
  FILE *f = fopen("/proc/self/mountinfo", "re");
  if (!f) return fail_errno(err, "open /proc/self/mountinfo");
  char line[4096];
  while (fgets(line, sizeof line, f) && cg->n < CG_MAX) {
    char *sep = strstr(line, " - ");
    if (!sep) continue;
    *sep = 0;
    /* before the separator: field 5 is the mount point; after it: fstype, source, super options */
    char *pre[6], *post[3];
    if (split_fields(line, pre, 6) < 5 || split_fields(sep + 3, post, 3) < 3 || strcmp(post[0], "cgroup")) continue;
    const char *mnt = pre[4], *opts = post[2];
    char ctrls[128];
    if (!wanted(opts, ctrls, sizeof ctrls)) continue;
    bool dup = false;
    for (int k = 0; k < cg->n; k++)
      if (!strcmp(cg->controllers[k], ctrls)) dup = true;
    if (dup) continue;
    if (create && make_dirs(mnt, rel, strstr(ctrls, "cpuset") != NULL, err) < 0) {
      fclose(f);
      return -1;
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s/%s", mnt, rel);
    cg->dirs[cg->n] = xstrdup(dir);
    cg->controllers[cg->n] = xstrdup(ctrls);
    cg->n++;
  }
  fclose(f);
  if (!cg->n) return fail(err, ENOENT, "no cgroup v1 controllers are mounted");
  return 0;
}

static const char *dir_for(const cgroup_t *cg, const char *ctrl)
{
  if (cg->v2) return cg->dirs[0];
  for (int k = 0; k < cg->n; k++) {
    char buf[128];
    snprintf(buf, sizeof buf, ",%s,", cg->controllers[k]);
    char want[40];
    snprintf(want, sizeof want, ",%s,", ctrl);
    if (strstr(buf, want)) return cg->dirs[k];
  }
  return NULL;
}

static int setv(const cgroup_t *cg, const char *ctrl, const char *file, const char *val, bool optional, berr_t *err)
{
  const char *dir = dir_for(cg, ctrl);
  if (!dir) return optional ? 0 : fail(err, ENOENT, "the %s cgroup controller is not available", ctrl);
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  berr_t e = {0};
  if (write_file(path, val, &e) < 0) {
    if (optional && (e.code == ENOENT || e.code == EACCES)) return 0;
    return fail(err, e.code, "set %s to %s: %s", path, val, errno_text(e.code));
  }
  return 0;
}

static int setn(const cgroup_t *cg, const char *ctrl, const char *file, long long v, bool optional, berr_t *err)
{
  char buf[32];
  snprintf(buf, sizeof buf, "%lld", v);
  return setv(cg, ctrl, file, buf, optional, err);
}

int cgroup_apply(cgroup_t *cg, const spec_resources *r, berr_t *err)
{
  char buf[64];
  if (cg->v2) {
    /* no devices controller on v2: the rules become an eBPF program, attached before anything joins */
    berr_t e = {0};
    if (devbpf_apply(cg->dirs[0], r->dev_rules, r->dev_allow, r->ndev_rules, &e) < 0)
      return fail(err, e.code, "apply the device rules: %s", e.msg);
    if (r->memory_limit > 0 && setn(cg, "memory", "memory.max", r->memory_limit, false, err) < 0) return -1;
    if (r->memory_swap != -1 || r->memory_limit > 0) {
      if (r->memory_swap == -1)
        snprintf(buf, sizeof buf, "max");
      else
        snprintf(buf, sizeof buf, "%lld", (long long)(r->memory_swap - (r->memory_limit > 0 ? r->memory_limit : 0)));
      if (r->memory_swap != -1 && setv(cg, "memory", "memory.swap.max", buf, true, err) < 0) return -1;
    }
    if (r->memory_reservation > 0 && setn(cg, "memory", "memory.low", r->memory_reservation, false, err) < 0) return -1;
    if (r->cpu_shares > 0 && setn(cg, "cpu", "cpu.weight", 1 + ((r->cpu_shares - 2) * 9999) / 262142, false, err) < 0)
      return -1;
    if (r->cpu_quota > 0 || r->cpu_period > 0) {
      long long period = r->cpu_period > 0 ? r->cpu_period : 100000;
      if (r->cpu_quota > 0)
        snprintf(buf, sizeof buf, "%lld %lld", (long long)r->cpu_quota, period);
      else
        snprintf(buf, sizeof buf, "max %lld", period);
      if (setv(cg, "cpu", "cpu.max", buf, false, err) < 0) return -1;
    }
    if (r->cpus && setv(cg, "cpuset", "cpuset.cpus", r->cpus, false, err) < 0) return -1;
    if (r->mems && setv(cg, "cpuset", "cpuset.mems", r->mems, false, err) < 0) return -1;
    if (r->pids_limit > 0 && setn(cg, "pids", "pids.max", r->pids_limit, false, err) < 0) return -1;
    if (r->blkio_weight > 0) {
      snprintf(buf, sizeof buf, "default %lld", (long long)r->blkio_weight);
      if (setv(cg, "io", "io.weight", buf, true, err) < 0) return -1;
    }
    return 0;
  }
  v1_enable_blkio_accounting(cg);
  if (r->memory_limit > 0 && setn(cg, "memory", "memory.limit_in_bytes", r->memory_limit, false, err) < 0) return -1;
  if (r->memory_swap != -1 && r->memory_limit > 0 &&
      setn(cg, "memory", "memory.memsw.limit_in_bytes", r->memory_swap, true, err) < 0)
    return -1;
  if (r->memory_reservation > 0 &&
      setn(cg, "memory", "memory.soft_limit_in_bytes", r->memory_reservation, false, err) < 0)
    return -1;
  if (r->cpu_shares > 0 && setn(cg, "cpu", "cpu.shares", r->cpu_shares, false, err) < 0) return -1;
  if (r->cpu_period > 0 && setn(cg, "cpu", "cpu.cfs_period_us", r->cpu_period, false, err) < 0) return -1;
  if (r->cpu_quota != 0 && setn(cg, "cpu", "cpu.cfs_quota_us", r->cpu_quota, false, err) < 0) return -1;
  if (r->cpus && setv(cg, "cpuset", "cpuset.cpus", r->cpus, false, err) < 0) return -1;
  if (r->mems && setv(cg, "cpuset", "cpuset.mems", r->mems, false, err) < 0) return -1;
  if (r->pids_limit > 0 && setn(cg, "pids", "pids.max", r->pids_limit, false, err) < 0) return -1;
  if (r->blkio_weight > 0 && setn(cg, "blkio", "blkio.weight", r->blkio_weight, true, err) < 0) return -1;
  /* the device rules are not optional: without the devices controller, or when a rule is refused, fail closed */
  for (size_t k = 0; k < r->ndev_rules; k++) {
    berr_t e = {0};
    if (setv(cg, "devices", r->dev_allow[k] ? "devices.allow" : "devices.deny", r->dev_rules[k], false, &e) < 0)
      return fail(err, e.code, "apply the device rules: %s", e.msg);
  }
  return 0;
}

/*
 * cgroup v1 does not always count block I/O in blkio.throttle.io_service_bytes:
 * kernels from 6.9 count a disk's I/O only once blk-throttle has been
 * activated on it, which the first throttle rule written for that disk does
 * (any group); several 5.x and 6.x kernels before it skip the accounting of
 * a group with no rule of its own or above it. So give the container's group a rule too
 * high to ever throttle on every disk, loop devices included (a store on a
 * loop device is common in CI). Written before the user's own limits so that
 * those win. Best effort: a disk that refuses is skipped.
 */
static void v1_enable_blkio_accounting(const cgroup_t *cg)
{
  const char *dir = dir_for(cg, "blkio");
  if (!dir) return;
  DIR *d = opendir("/sys/block");
  if (!d) return;
  struct dirent *de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    char path[PATH_MAX];
    snprintf(path, sizeof path, "/sys/block/%s/dev", de->d_name);
    berr_t err = {0};
    autofree char *dev = read_file(path, NULL, &err);
    if (!dev) continue;
    dev[strcspn(dev, "\n")] = 0;
    char rule[64];
    snprintf(rule, sizeof rule, "%s 1099511627776", dev); /* 1 TiB/s */
    const char *files[] = {"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device"};
    for (int k = 0; k < 2; k++) {
      snprintf(path, sizeof path, "%s/%s", dir, files[k]);
      write_file(path, rule, &err);
    }
  }
  closedir(d);
}

/*
 * The calling process joins the container's cgroups. On v1 it writes "0"
 * (itself) to each hierarchy's "tasks" file: moving one thread that is the
 * writer skips the kernel's global threadgroup lock, whose write side waits
 * for an RCU grace period (10-30 ms on an idle host) every time a pid is
 * written to cgroup.procs. The caller must be single-threaded (the container
 * process before exec, `exec`), so moving the thread moves the process. v2
 * has no such path for a domain cgroup: cgroup.procs there.
 */
int cgroup_join_self(cgroup_t *cg, berr_t *err)
{
  for (int k = 0; k < cg->n; k++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", cg->dirs[k], cg->v2 ? "cgroup.procs" : "tasks");
    berr_t e = {0};
    if (write_file(path, "0", &e) < 0) return fail(err, e.code, "join cgroup %s: %s", cg->dirs[k], errno_text(e.code));
  }
  return 0;
}

uint64_t cgroup_oom_kills(const cgroup_t *cg)
{
  const char *dir = dir_for(cg, "memory");
  if (!dir) return 0;
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/%s", dir, cg->v2 ? "memory.events" : "memory.oom_control");
  berr_t err = {0};
  autofree char *s = read_file(path, NULL, &err);
  if (!s) return 0;
  char *p = strstr(s, "oom_kill ");
  return p ? strtoull(p + 9, NULL, 10) : 0;
}

static int kill_members(const char *dir)
{
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/cgroup.procs", dir);
  berr_t err = {0};
  autofree char *s = read_file(path, NULL, &err);
  if (!s) return 0;
  int n = 0;
  for (char *save = NULL, *tok = strtok_r(s, "\n", &save); tok; tok = strtok_r(NULL, "\n", &save)) {
    kill(atoi(tok), SIGKILL);
    n++;
  }
  return n;
}

void cgroup_destroy(cgroup_t *cg)
{
  /* thaw first: frozen tasks cannot die */
  const char *fz = dir_for(cg, "freezer");
  berr_t err = {0};
  if (fz && !cg->v2) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/freezer.state", fz);
    write_file(path, "THAWED", &err);
  } else if (cg->v2) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/cgroup.freeze", cg->dirs[0]);
    write_file(path, "0", &err);
  }
  for (int k = 0; k < cg->n; k++) {
    for (int attempt = 0; attempt < 100; attempt++) {
      if (rmdir(cg->dirs[k]) == 0 || errno == ENOENT) break;
      if (errno != EBUSY) {
        logmsg("remove cgroup %s: %s", cg->dirs[k], errno_text(errno));
        break;
      }
      kill_members(cg->dirs[k]);
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
}
