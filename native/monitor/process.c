#include "process.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int capset_all(uint64_t eff, uint64_t perm, uint64_t inh, berr_t *err)
{
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  data[0].effective = (uint32_t)eff;
  data[1].effective = (uint32_t)(eff >> 32);
  data[0].permitted = (uint32_t)perm;
  data[1].permitted = (uint32_t)(perm >> 32);
  data[0].inheritable = (uint32_t)inh;
  data[1].inheritable = (uint32_t)(inh >> 32);
  if (syscall(SYS_capset, &hdr, data) < 0) return fail_errno(err, "set capabilities");
  return 0;
}

/* The capabilities this process may still hold: asking for more is EPERM
 * (sandboxes deny some, e.g. CAP_SYS_RESOURCE), so requests are limited to them. */
static uint64_t own_permitted(void)
{
  struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &hdr, data) < 0) return ~0ULL;
  return (uint64_t)data[0].permitted | ((uint64_t)data[1].permitted << 32);
}

int apply_identity(const proc_identity *id, berr_t *err)
{
  int last = cap_last_cap();
  uint64_t have = own_permitted();
  for (int c = 0; c <= last; c++) {
    if (id->bounding & (1ULL << c)) continue;
    if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) return fail_errno(err, "drop capability %d", c);
  }
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return fail_errno(err, "keep capabilities");
  if (setgroups(id->ngroups, id->groups) < 0) return fail_errno(err, "setgroups");
  if (setgid(id->gid) < 0) return fail_errno(err, "setgid %u", (unsigned)id->gid);
  if (setuid(id->uid) < 0) return fail_errno(err, "setuid %u", (unsigned)id->uid);
  if (capset_all(id->effective & have, id->permitted & have, id->inheritable & have, err) < 0) return -1;
  for (int c = 0; c <= last; c++) {
    if (!(id->ambient & have & (1ULL << c))) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
      return fail_errno(err, "raise ambient capability %d", c);
  }
  if (id->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) return fail_errno(err, "set no_new_privs");
  return 0;
}

int apply_rlimits(const spec_t *s, berr_t *err)
{
  for (size_t k = 0; k < s->nrlimits; k++) {
    struct rlimit cur;
    if (getrlimit(s->rlimits[k].resource, &cur) < 0) return fail_errno(err, "getrlimit");
    struct rlimit want = {.rlim_cur = s->rlimits[k].soft, .rlim_max = s->rlimits[k].hard};
    /* Hosts may deny CAP_SYS_RESOURCE: never ask for more than the current hard limit. */
    if (cur.rlim_max != RLIM_INFINITY && (want.rlim_max == RLIM_INFINITY || want.rlim_max > cur.rlim_max))
      want.rlim_max = cur.rlim_max;
    if (want.rlim_cur != RLIM_INFINITY && want.rlim_max != RLIM_INFINITY && want.rlim_cur > want.rlim_max)
      want.rlim_cur = want.rlim_max;
    if (want.rlim_cur == RLIM_INFINITY && want.rlim_max != RLIM_INFINITY) want.rlim_cur = want.rlim_max;
    if (setrlimit(s->rlimits[k].resource, &want) < 0) return fail_errno(err, "setrlimit %d", s->rlimits[k].resource);
  }
  return 0;
}

static const char *env_path(const char *const *env)
{
  for (const char *const *e = env; e && *e; e++)
    if (!strncmp(*e, "PATH=", 5)) return *e + 5;
  return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

static int runnable(const char *path, int *why)
{
  struct stat st;
  if (stat(path, &st) < 0) {
    *why = errno;
    return 0;
  }
  if (S_ISDIR(st.st_mode)) {
    *why = EACCES; /* what execve says of a directory */
    return 0;
  }
  if (access(path, X_OK) < 0) {
    *why = errno;
    return 0;
  }
  return 1;
}

int find_executable(const char *arg0, const char *const *env, char *out, size_t outlen, berr_t *err)
{
  int why = ENOENT;
  if (strchr(arg0, '/')) {
    if (runnable(arg0, &why)) {
      snprintf(out, outlen, "%s", arg0);
      return 0;
    }
  } else {
    char paths[8192];
    snprintf(paths, sizeof paths, "%s", env_path(env));
    int seen_eacces = 0;
    for (char *save = NULL, *dir = strtok_r(paths, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
      char cand[PATH_MAX];
      snprintf(cand, sizeof cand, "%s/%s", *dir ? dir : ".", arg0);
      int w = ENOENT;
      if (runnable(cand, &w)) {
        snprintf(out, outlen, "%s", cand);
        return 0;
      }
      if (w == EACCES) seen_eacces = 1;
    }
    err->status = 127;
    if (seen_eacces) {
      err->status = 126;
      return fail(err, EACCES, "exec: \"%s\": permission denied", arg0);
    }
    return fail(err, ENOENT, "exec: \"%s\": executable file not found in $PATH", arg0);
  }
  err->status = why == ENOENT || why == ENOTDIR ? 127 : 126;
  return fail(err, why, "exec: \"%s\": %s", arg0, errno_text(why));
}

int exec_program(const char *path, const char *arg0, char *const *args, char *const *env, berr_t *err)
{
  execve(path, args, env);
  int e = errno;
  err->status = e == ENOENT ? 127 : 126;
  errno = e;
  return fail_errno(err, "exec: \"%s\"", arg0);
}
