/* The last steps before exec, shared by container init and exec:
 * user, groups, capabilities, no_new_privs, rlimits, env, executable lookup. */
#ifndef BERTH_PROCESS_H
#define BERTH_PROCESS_H

#include <stdbool.h>
#include <stdint.h>
#include "spec.h"

typedef struct {
  uid_t uid;
  gid_t gid;
  const gid_t *groups;
  size_t ngroups;
  uint64_t bounding, effective, permitted, inheritable, ambient;
  bool no_new_privileges;
} proc_identity;

/* Drop the bounding set, switch user and groups, set capabilities. */
int apply_identity(const proc_identity *id, berr_t *err);
int apply_rlimits(const spec_t *s, berr_t *err);
/* Find the program as execve would run it; status 127 / 126 when missing / not runnable. */
int find_executable(const char *arg0, const char *const *env, char *out, size_t outlen, berr_t *err);
/* Exec, or fill err with docker's message and exit status. */
int exec_program(const char *path, const char *arg0, char *const *args, char *const *env, berr_t *err);

#endif
