#include "spec.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

const char *const NS_TYPES[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
const int NS_FLAGS[] = {CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS, CLONE_NEWNS, CLONE_NEWCGROUP};

int ns_index(const char *type)
{
  for (int k = 0; k < NS_COUNT; k++)
    if (!strcmp(type, NS_TYPES[k])) return k;
  return -1;
}

static const char *const CAPS[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

int cap_from_name(const char *name)
{
  for (int k = 0; k < (int)(sizeof CAPS / sizeof CAPS[0]); k++)
    if (!strcmp(name, CAPS[k])) return k;
  return -1;
}

int cap_last_cap(void)
{
  berr_t err = {0};
  autofree char *s = read_file("/proc/sys/kernel/cap_last_cap", NULL, &err);
  int last = s ? atoi(s) : 40;
  int known = (int)(sizeof CAPS / sizeof CAPS[0]) - 1;
  return last > known ? known : last;
}

static int cap_set(const jval *arr, uint64_t *out, berr_t *err)
{
  *out = 0;
  if (!arr) return 0;
  if (arr->t != J_ARR) return fail(err, EINVAL, "config.json: capabilities must be lists");
  for (size_t k = 0; k < arr->n; k++) {
    const char *name = json_str(&arr->items[k], "");
    int c = cap_from_name(name);
    if (c < 0) return fail(err, EINVAL, "config.json: unknown capability %s", name);
    *out |= 1ULL << c;
  }
  return 0;
}

static const struct {
  const char *name;
  int res;
} RLIMITS[] = {
    {"RLIMIT_AS", RLIMIT_AS},           {"RLIMIT_CORE", RLIMIT_CORE},         {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},       {"RLIMIT_FSIZE", RLIMIT_FSIZE},       {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK}, {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},   {"RLIMIT_NPROC", RLIMIT_NPROC},       {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},   {"RLIMIT_RTTIME", RLIMIT_RTTIME},     {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int64_t num_or(const jval *v, int64_t def)
{
  return v && v->t == J_NUM ? (int64_t)v->num : def;
}

static char *dup_or_null(const char *s)
{
  return s ? xstrdup(s) : NULL;
}

static int load_process(spec_t *s, const jval *proc, berr_t *err)
{
  if (!proc || proc->t != J_OBJ) return fail(err, EINVAL, "config.json: process is missing");
  s->terminal = json_bool(json_get(proc, "terminal"), false);
  const jval *cs = json_get(proc, "consoleSize");
  s->rows = (unsigned short)json_num(json_get(cs, "height"), 0);
  s->cols = (unsigned short)json_num(json_get(cs, "width"), 0);
  const jval *user = json_get(proc, "user");
  s->uid = (uid_t)json_num(json_get(user, "uid"), 0);
  s->gid = (gid_t)json_num(json_get(user, "gid"), 0);
  const jval *ag = json_get(user, "additionalGids");
  if (ag && ag->t == J_ARR) {
    s->groups = xmalloc((ag->n + 1) * sizeof(gid_t));
    for (size_t k = 0; k < ag->n; k++) s->groups[s->ngroups++] = (gid_t)json_num(&ag->items[k], 0);
  }
  s->args = json_strv(json_get(proc, "args"));
  if (!s->args[0]) return fail(err, EINVAL, "config.json: process.args is empty");
  s->env = json_strv(json_get(proc, "env"));
  s->cwd = xstrdup(json_str(json_get(proc, "cwd"), "/"));
  if (s->cwd[0] != '/') return fail(err, EINVAL, "config.json: process.cwd must be absolute");
  const jval *caps = json_get(proc, "capabilities");
  if (cap_set(json_get(caps, "bounding"), &s->cap_bounding, err) < 0 ||
      cap_set(json_get(caps, "effective"), &s->cap_effective, err) < 0 ||
      cap_set(json_get(caps, "permitted"), &s->cap_permitted, err) < 0 ||
      cap_set(json_get(caps, "inheritable"), &s->cap_inheritable, err) < 0 ||
      cap_set(json_get(caps, "ambient"), &s->cap_ambient, err) < 0)
    return -1;
  s->no_new_privileges = json_bool(json_get(proc, "noNewPrivileges"), false);
  const jval *oom = json_get(proc, "oomScoreAdj");
  if (oom && oom->t == J_NUM) {
    s->has_oom_score_adj = true;
    s->oom_score_adj = (int)oom->num;
  }
  const jval *rl = json_get(proc, "rlimits");
  if (rl && rl->t == J_ARR) {
    s->rlimits = xmalloc((rl->n + 1) * sizeof(spec_rlimit));
    for (size_t k = 0; k < rl->n; k++) {
      const char *type = json_str(json_get(&rl->items[k], "type"), "");
      int res = -1;
      for (size_t r = 0; r < sizeof RLIMITS / sizeof RLIMITS[0]; r++)
        if (!strcmp(type, RLIMITS[r].name)) res = RLIMITS[r].res;
      if (res < 0) return fail(err, EINVAL, "config.json: unknown rlimit %s", type);
      s->rlimits[s->nrlimits++] = (spec_rlimit){res, (uint64_t)json_num(json_get(&rl->items[k], "soft"), 0),
                                                (uint64_t)json_num(json_get(&rl->items[k], "hard"), 0)};
    }
  }
  return 0;
}

static int load_linux(spec_t *s, const jval *lx, berr_t *err)
{
  s->res = (spec_resources){.memory_limit = -1, .memory_swap = -1, .memory_reservation = -1};
  const jval *nss = json_get(lx, "namespaces");
  if (nss && nss->t == J_ARR) {
    for (size_t k = 0; k < nss->n; k++) {
      const char *type = json_str(json_get(&nss->items[k], "type"), "");
      int idx = ns_index(type);
      if (idx < 0) {
        if (!strcmp(type, "user") || !strcmp(type, "time"))
          return fail(err, EINVAL, "config.json: %s namespaces are not supported", type);
        return fail(err, EINVAL, "config.json: unknown namespace type %s", type);
      }
      const char *path = json_str(json_get(&nss->items[k], "path"), NULL);
      if (path && *path)
        s->ns_paths[idx] = xstrdup(path);
      else
        s->ns_flags |= NS_FLAGS[idx];
    }
  }
  s->cgroups_path = dup_or_null(json_str(json_get(lx, "cgroupsPath"), NULL));
  const jval *r = json_get(lx, "resources");
  const jval *mem = json_get(r, "memory");
  s->res.memory_limit = num_or(json_get(mem, "limit"), -1);
  s->res.memory_swap = num_or(json_get(mem, "swap"), -1);
  s->res.memory_reservation = num_or(json_get(mem, "reservation"), -1);
  const jval *cpu = json_get(r, "cpu");
  s->res.cpu_shares = num_or(json_get(cpu, "shares"), 0);
  s->res.cpu_quota = num_or(json_get(cpu, "quota"), 0);
  s->res.cpu_period = num_or(json_get(cpu, "period"), 0);
  s->res.cpus = dup_or_null(json_str(json_get(cpu, "cpus"), NULL));
  s->res.mems = dup_or_null(json_str(json_get(cpu, "mems"), NULL));
  s->res.pids_limit = num_or(json_get(json_get(r, "pids"), "limit"), 0);
  s->res.blkio_weight = num_or(json_get(json_get(r, "blockIO"), "weight"), 0);
  const jval *rdev = json_get(r, "devices");
  if (rdev && rdev->t == J_ARR) {
    s->res.dev_rules = xmalloc((rdev->n + 1) * sizeof(char *));
    s->res.dev_allow = xmalloc((rdev->n + 1) * sizeof(bool));
    for (size_t k = 0; k < rdev->n; k++) {
      const jval *d = &rdev->items[k];
      const char *type = json_str(json_get(d, "type"), "a");
      const char *access = json_str(json_get(d, "access"), "rwm");
      const jval *ma = json_get(d, "major"), *mi = json_get(d, "minor");
      char rule[64], majs[24] = "*", mins[24] = "*";
      if (ma && ma->t == J_NUM) snprintf(majs, sizeof majs, "%ld", (long)ma->num);
      if (mi && mi->t == J_NUM) snprintf(mins, sizeof mins, "%ld", (long)mi->num);
      if (type[0] == 'a')
        snprintf(rule, sizeof rule, "a");
      else
        snprintf(rule, sizeof rule, "%c %s:%s %s", type[0], majs, mins, access);
      s->res.dev_allow[s->res.ndev_rules] = json_bool(json_get(d, "allow"), false);
      s->res.dev_rules[s->res.ndev_rules++] = xstrdup(rule);
    }
  }
  /* device rules that no cgroup would carry are not applied at all: refuse them */
  if (s->res.ndev_rules && !s->cgroups_path)
    return fail(err, EINVAL, "config.json: linux.resources.devices needs linux.cgroupsPath");
  /* compiled once; the section's text is not needed again (a monitor lives as long as its container) */
  if (seccomp_compile(json_get(lx, "seccomp"), &s->seccomp, err) < 0) return -1;
  json_drop((jval *)json_get(lx, "seccomp"));
  malloc_trim(0); /* the section's and the compiler's memory back to the system */
  s->masked = json_strv(json_get(lx, "maskedPaths"));
  s->readonly_paths = json_strv(json_get(lx, "readonlyPaths"));
  const jval *devs = json_get(lx, "devices");
  if (devs && devs->t == J_ARR) {
    s->devices = xmalloc((devs->n + 1) * sizeof(spec_device));
    for (size_t k = 0; k < devs->n; k++) {
      const jval *d = &devs->items[k];
      const char *path = json_str(json_get(d, "path"), NULL);
      const char *type = json_str(json_get(d, "type"), "c");
      if (!path || path[0] != '/') return fail(err, EINVAL, "config.json: a device needs an absolute path");
      s->devices[s->ndevices++] = (spec_device){xstrdup(path),
                                                type[0],
                                                (long)json_num(json_get(d, "major"), 0),
                                                (long)json_num(json_get(d, "minor"), 0),
                                                (mode_t)json_num(json_get(d, "fileMode"), 0666),
                                                (uid_t)json_num(json_get(d, "uid"), 0),
                                                (gid_t)json_num(json_get(d, "gid"), 0)};
    }
  }
  const jval *sys = json_get(lx, "sysctl");
  if (sys && sys->t == J_OBJ) {
    s->sysctl_keys = xmalloc((sys->n + 1) * sizeof(char *));
    s->sysctl_vals = xmalloc((sys->n + 1) * sizeof(char *));
    for (size_t k = 0; k < sys->n; k++) {
      if (strstr(sys->keys[k], "..") || strchr(sys->keys[k], '/'))
        return fail(err, EINVAL, "config.json: invalid sysctl %s", sys->keys[k]);
      s->sysctl_keys[s->nsysctl] = sys->keys[k];
      s->sysctl_vals[s->nsysctl++] = (char *)json_str(&sys->items[k], "");
    }
  }
  return 0;
}

int spec_load(spec_t *s, const char *bundle, berr_t *err)
{
  memset(s, 0, sizeof *s);
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/config.json", bundle);
  autofree char *text = read_file(path, NULL, err);
  if (!text) return -1;
  s->root_json = json_parse(text, err);
  if (!s->root_json) return -1;
  if (s->root_json->t != J_OBJ) return fail(err, EINVAL, "config.json: not an object");
  s->bundle = xstrdup(bundle);
  if (load_process(s, json_get(s->root_json, "process"), err) < 0) return -1;
  const char *root = json_str(json_get(json_get(s->root_json, "root"), "path"), NULL);
  if (!root) return fail(err, EINVAL, "config.json: root.path is missing");
  char rp[PATH_MAX];
  if (root[0] == '/')
    snprintf(rp, sizeof rp, "%s", root);
  else
    snprintf(rp, sizeof rp, "%s/%s", bundle, root);
  s->rootfs = xstrdup(rp);
  struct stat st;
  if (stat(s->rootfs, &st) < 0 || !S_ISDIR(st.st_mode)) return fail_errno(err, "root.path %s", s->rootfs);
  s->readonly = json_bool(json_get(json_get(s->root_json, "root"), "readonly"), false);
  s->hostname = dup_or_null(json_str(json_get(s->root_json, "hostname"), NULL));
  const jval *ann = json_get(s->root_json, "annotations");
  s->overlay = dup_or_null(json_str(json_get(ann, "berth.overlay"), NULL));
  s->overlay_chdir = dup_or_null(json_str(json_get(ann, "berth.overlay.chdir"), NULL));
  s->rootfs_dev = !strcmp(json_str(json_get(ann, "berth.rootfs.nodev"), "true"), "false");
  const jval *mounts = json_get(s->root_json, "mounts");
  if (mounts && mounts->t == J_ARR) {
    s->mounts = xmalloc((mounts->n + 1) * sizeof(spec_mount));
    for (size_t k = 0; k < mounts->n; k++) {
      const jval *m = &mounts->items[k];
      const char *dest = json_str(json_get(m, "destination"), NULL);
      if (!dest || dest[0] != '/') return fail(err, EINVAL, "config.json: mount destination must be absolute");
      s->mounts[s->nmounts++] =
          (spec_mount){xstrdup(dest), xstrdup(json_str(json_get(m, "type"), "")),
                       xstrdup(json_str(json_get(m, "source"), "")), json_strv(json_get(m, "options"))};
    }
  }
  return load_linux(s, json_get(s->root_json, "linux"), err);
}

void spec_free(spec_t *s)
{
  json_free(s->root_json);
  /* the rest lives until the process exits */
}
