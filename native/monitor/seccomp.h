/* seccomp: the bundle's linux.seccomp (OCI runtime spec) compiled to a classic BPF filter, and installed.
 * The engine decides the profile (docker's default, a user's, none); this only compiles what the bundle says. */
#ifndef BERTH_SECCOMP_H
#define BERTH_SECCOMP_H

#include <stddef.h>
#include <linux/filter.h>
#include "json.h"

typedef struct {
  struct sock_filter *insns;
  size_t len;
  unsigned int flags; /* SECCOMP_FILTER_FLAG_* from linux.seccomp.flags */
} seccomp_prog;

/* Compile linux.seccomp (NULL or absent: *out = NULL, nothing to apply). Errors name the field at fault. */
int seccomp_compile(const jval *sec, seccomp_prog **out, berr_t *err);
/* Install the filter on the calling thread (NULL: nothing). Needs no_new_privs or CAP_SYS_ADMIN. */
int seccomp_install(const seccomp_prog *p, berr_t *err);
void seccomp_free(seccomp_prog *p);

#endif
