/* cgroups for a container: v1 (one directory per controller hierarchy, as on
 * hybrid hosts) or v2 (one directory in the unified hierarchy). */
#ifndef BERTH_CGROUP_H
#define BERTH_CGROUP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "spec.h"

#define CG_MAX 16

typedef struct {
  bool v2;
  int n;
  char *dirs[CG_MAX];        /* the container's directories, one per hierarchy */
  char *controllers[CG_MAX]; /* what each hierarchy holds, e.g. "cpu,cpuacct" */
} cgroup_t;

/* Is the host on the unified hierarchy only (cgroup v2)? */
bool cgroup_is_v2(void);
/* Find (and with create, make) the directories for cgroupsPath. */
int cgroup_open(cgroup_t *cg, const char *path, bool create, berr_t *err);
int cgroup_apply(cgroup_t *cg, const spec_resources *r, berr_t *err);
/* Move the calling (single-threaded) process into the cgroups. */
int cgroup_join_self(cgroup_t *cg, berr_t *err);
/* The OOM-kill counter of the memory controller (0 when unknown). */
uint64_t cgroup_oom_kills(const cgroup_t *cg);
/* Kill what is left, then remove the directories. */
void cgroup_destroy(cgroup_t *cg);

#endif
