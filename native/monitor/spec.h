/* The parts of an OCI runtime config.json berth-monitor uses. */
#ifndef BERTH_SPEC_H
#define BERTH_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "json.h"
#include "seccomp.h"

typedef struct {
  char *destination, *type, *source;
  const char **options; /* NULL terminated */
} spec_mount;

typedef struct {
  int resource; /* RLIMIT_* */
  uint64_t soft, hard;
} spec_rlimit;

typedef struct {
  char *path; /* device path in the container */
  char type;  /* 'c', 'b', 'p' */
  long major, minor;
  mode_t mode;
  uid_t uid;
  gid_t gid;
} spec_device;

typedef struct {
  int64_t memory_limit, memory_swap, memory_reservation; /* -1 = unset */
  int64_t cpu_shares, cpu_quota, cpu_period;             /* 0 = unset (quota -1 = unlimited) */
  char *cpus, *mems;
  int64_t pids_limit; /* 0 = unset, -1 unlimited */
  int64_t blkio_weight;
  /* device cgroup rules: "a", "c 1:3 rwm", ... with allow flags */
  char **dev_rules;
  bool *dev_allow;
  size_t ndev_rules;
} spec_resources;

typedef struct {
  jval *root_json;
  char *bundle;
  /* process */
  bool terminal;
  unsigned short rows, cols;
  uid_t uid;
  gid_t gid;
  gid_t *groups;
  size_t ngroups;
  const char **args, **env;
  char *cwd;
  uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
  bool no_new_privileges;
  int oom_score_adj;
  bool has_oom_score_adj;
  spec_rlimit *rlimits;
  size_t nrlimits;
  /* root */
  char *rootfs; /* absolute */
  bool readonly;
  char *hostname;
  char *overlay, *overlay_chdir;
  bool rootfs_dev; /* annotations["berth.rootfs.nodev"] == "false": device nodes in the root work (--privileged) */
  spec_mount *mounts;
  size_t nmounts;
  /* linux */
  int ns_flags;      /* CLONE_NEW* to create */
  char *ns_paths[8]; /* namespaces to join: index by ns_index() */
  char *cgroups_path;
  spec_resources res;
  const char **masked, **readonly_paths;
  spec_device *devices;
  size_t ndevices;
  char **sysctl_keys, **sysctl_vals;
  size_t nsysctl;
  seccomp_prog *seccomp; /* linux.seccomp compiled; NULL: none */
} spec_t;

int spec_load(spec_t *s, const char *bundle, berr_t *err);
void spec_free(spec_t *s);

/* Capability name (CAP_X) to number, -1 if unknown. */
int cap_from_name(const char *name);
int cap_last_cap(void);

/* Namespace types in the spec order: pid network ipc uts mount cgroup. */
int ns_index(const char *type);
extern const char *const NS_TYPES[];
extern const int NS_FLAGS[];
#define NS_COUNT 6

#endif
