/* Mounting inside a container's root through file descriptors: destinations
 * are resolved inside the root by the kernel (openat2 RESOLVE_IN_ROOT) and
 * mounts are attached to the directory that was resolved (move_mount), so a
 * container that shares a volume cannot swap a path for a symlink between the
 * check and the mount. Attributes are added with mount_setattr, which never
 * takes away what a mount already has (a source's nosuid, nodev, noexec). */
#ifndef BERTH_MOUNTFD_H
#define BERTH_MOUNTFD_H

#include <stdbool.h>
#include "util.h"

/* Open path inside the root directory rootfd (an O_PATH fd, close-on-exec): symlinks resolve as if
 * rootfd were "/", magic links (/proc/<pid>/root, ...) are refused. Missing components are created
 * when create is 'd' (directories) or 'f' (directories, then an empty file); 0 creates nothing.
 * Returns the fd or -1 with err. */
int open_in_root(int rootfd, const char *path, char create, berr_t *err);

/* Bind the host path src (recursively with rec) onto the directory or file target; the MS_RDONLY,
 * MS_NOSUID, MS_NODEV, MS_NOEXEC bits of flags are added to every mount of the tree before it is
 * attached; prop (MS_PRIVATE, MS_SLAVE, MS_SHARED, MS_UNBINDABLE, with MS_REC) is applied after.
 * what names the mount in errors. */
int bind_at(const char *src, bool rec, unsigned long flags, unsigned long prop, int target, const char *what,
            berr_t *err);

/* A new file system of type (source names it, data holds its comma-separated options) with the
 * mount flags of flags, attached at target. */
int fs_at(const char *type, const char *source, unsigned long flags, const char *data, unsigned long prop, int target,
          const char *what, berr_t *err);

/* Add MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC bits of flags to the mount at path (relative to dfd),
 * and with rec to every mount below it. */
int mount_add_flags(int dfd, const char *path, bool rec, unsigned long flags, berr_t *err);

#endif
