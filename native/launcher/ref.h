/* docker's reference normalization for a name[:tag] (src/engine/reference/ does the whole grammar). */
#ifndef BERTH_REF_H
#define BERTH_REF_H

#include <stddef.h>

/* busybox -> docker.io/library/busybox:latest; -1 for anything it does not take (digests, odd characters). */
int ref_normalize(const char *ref, char *out, size_t len);

#endif
