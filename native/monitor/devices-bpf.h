/* Device rules on cgroup v2: the OCI linux.resources.devices list compiled to an eBPF program
 * (BPF_PROG_TYPE_CGROUP_DEVICE) and attached to the container's cgroup, as runc and crun do. */
#ifndef BERTH_DEVICES_BPF_H
#define BERTH_DEVICES_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/bpf.h>
#include "util.h"

typedef struct {
  char type;       /* 'a' (any), 'b', 'c' */
  long major;      /* -1: any */
  long minor;      /* -1: any */
  unsigned access; /* BPF_DEVCG_ACC_* bits */
  bool allow;
} dev_rule;

/* A rule in the devices cgroup's own syntax: "a", or "c 1:3 rwm" / "b *:* m". */
int devrule_parse(const char *text, bool allow, dev_rule *out, berr_t *err);
/* The program for rules (in cgroup v1 order: a later rule wins); returns its length, or 0 when it does not fit. */
size_t devbpf_build(const dev_rule *rules, size_t n, struct bpf_insn *out, size_t max);
/* Load the program for the rules and attach it to the cgroup v2 directory, replacing one attached before. */
int devbpf_apply(const char *cgroup_dir, char *const *rules, const bool *allow, size_t n, berr_t *err);
/* Load the program; returns its fd (tests run it through a cgroup of their own). */
int devbpf_load(const dev_rule *rules, size_t n, berr_t *err);

#endif
