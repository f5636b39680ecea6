/* The container's file system view, built inside its mount namespace. */
#ifndef BERTH_ROOTFS_H
#define BERTH_ROOTFS_H

#include "spec.h"

/* Everything up to and including pivot_root, masked and read-only paths.
 * With a terminal, *console_master / *console_slave receive the pty ends
 * (opened in the container's devpts). */
int rootfs_setup(const spec_t *s, int *console_master, int *console_slave, berr_t *err);

/* Option words to mount flags: returns 1 when word is a flag word. */
int mount_flag(const char *word, unsigned long *set, unsigned long *clear, unsigned long *propagation);

#endif
