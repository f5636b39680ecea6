#include "mountfd.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The new mount API by its system calls, so the build does not depend on the C library's wrappers. */
#ifndef MOUNT_ATTR_RDONLY
#define MOUNT_ATTR_RDONLY      0x00000001
#define MOUNT_ATTR_NOSUID      0x00000002
#define MOUNT_ATTR_NODEV       0x00000004
#define MOUNT_ATTR_NOEXEC      0x00000008
#define MOUNT_ATTR_RELATIME    0x00000000
#define MOUNT_ATTR_NOATIME     0x00000010
#define MOUNT_ATTR_STRICTATIME 0x00000020
#define MOUNT_ATTR_NODIRATIME  0x00000080
#endif
#ifndef MOUNT_ATTR_SIZE_VER0
struct mount_attr {
  uint64_t attr_set, attr_clr, propagation, userns_fd;
};
#define MOUNT_ATTR_SIZE_VER0 32
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#define MOVE_MOUNT_T_EMPTY_PATH 0x00000040
#endif
#ifndef FSOPEN_CLOEXEC
#define FSOPEN_CLOEXEC      0x00000001
#define FSMOUNT_CLOEXEC     0x00000001
#define FSCONFIG_SET_FLAG   0
#define FSCONFIG_SET_STRING 1
#define FSCONFIG_CMD_CREATE 6
#endif

static int sys_open_tree(int dfd, const char *path, unsigned flags)
{
  return (int)syscall(SYS_open_tree, dfd, path, flags);
}
static int sys_move_mount(int from, const char *fp, int to, const char *tp, unsigned flags)
{
  return (int)syscall(SYS_move_mount, from, fp, to, tp, flags);
}
static int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *a)
{
  return (int)syscall(SYS_mount_setattr, dfd, path, flags, a, sizeof *a);
}
static int sys_fsopen(const char *type, unsigned flags)
{
  return (int)syscall(SYS_fsopen, type, flags);
}
static int sys_fsconfig(int fd, unsigned cmd, const char *key, const char *value, int aux)
{
  return (int)syscall(SYS_fsconfig, fd, cmd, key, value, aux);
}
static int sys_fsmount(int fd, unsigned flags, unsigned attrs)
{
  return (int)syscall(SYS_fsmount, fd, flags, attrs);
}

/* A failed call of the new mount API: on kernels without it, say which kernel is needed. */
static int mount_fail(berr_t *err, const char *what, const char *call)
{
  if (errno == ENOSYS) return fail(err, ENOSYS, "%s: %s needs Linux 5.12 or later", what, call);
  return fail_errno(err, "%s (%s)", what, call);
}

static uint64_t attrs_of(unsigned long flags)
{
  uint64_t a = 0;
  if (flags & MS_RDONLY) a |= MOUNT_ATTR_RDONLY;
  if (flags & MS_NOSUID) a |= MOUNT_ATTR_NOSUID;
  if (flags & MS_NODEV) a |= MOUNT_ATTR_NODEV;
  if (flags & MS_NOEXEC) a |= MOUNT_ATTR_NOEXEC;
  if (flags & MS_NOATIME)
    a |= MOUNT_ATTR_NOATIME;
  else if (flags & MS_STRICTATIME)
    a |= MOUNT_ATTR_STRICTATIME;
  if (flags & MS_NODIRATIME) a |= MOUNT_ATTR_NODIRATIME;
  return a;
}

static int openat2_in(int dfd, const char *path, int flags)
{
  struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC), .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
  return (int)syscall(SYS_openat2, dfd, path, &how, sizeof how);
}

/* One walk of open_in_root; *restart receives a new path to walk instead when a component is a symlink to
 * something missing (a dangling link's target is made, inside the root, as the kernel would resolve it). */
static int walk(int rootfd, const char *path, char create, char *restart, size_t restart_len, berr_t *err)
{
  char prefix[PATH_MAX];
  size_t plen = 0;
  int dir = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
  if (dir < 0) return fail_errno(err, "dup");
  for (const char *p = path; *p;) {
    while (*p == '/') p++;
    if (!*p) break;
    size_t len = strcspn(p, "/");
    if (len > NAME_MAX || plen + len + 2 > sizeof prefix) {
      close(dir);
      return fail(err, ENAMETOOLONG, "%s: path too long", path);
    }
    char comp[NAME_MAX + 1];
    memcpy(comp, p, len);
    comp[len] = 0;
    p += len;
    bool last = p[strspn(p, "/")] == 0;
    size_t parent_len = plen;
    prefix[plen++] = '/';
    memcpy(prefix + plen, comp, len + 1);
    plen += len;
    int next = openat2_in(rootfd, prefix, O_PATH);
    if (next < 0 && errno == ENOENT && strcmp(comp, ".") && strcmp(comp, "..")) {
      int r;
      if (last && create == 'f') {
        r = openat(dir, comp, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (r >= 0) close(r);
      } else {
        r = mkdirat(dir, comp, 0755);
      }
      if (r < 0 && errno != EEXIST) {
        int e = errno;
        close(dir);
        errno = e;
        return fail_errno(err, "create mount point %s", path);
      }
      next = openat2_in(rootfd, prefix, O_PATH);
      if (next < 0 && errno == ENOENT) {
        /* a symlink whose target is missing: walk its target instead */
        char target[PATH_MAX];
        ssize_t n = readlinkat(dir, comp, target, sizeof target - 1);
        close(dir);
        if (n <= 0) return fail(err, ENOENT, "%s: %s vanished while it was resolved", path, prefix);
        target[n] = 0;
        prefix[parent_len] = 0;
        if ((size_t)snprintf(restart, restart_len, "%s%s%s%s", target[0] == '/' ? "" : prefix,
                             target[0] == '/' ? "" : "/", target, p) >= restart_len)
          return fail(err, ENAMETOOLONG, "%s: path too long", path);
        return -2;
      }
    }
    if (next < 0) {
      int e = errno;
      close(dir);
      errno = e;
      return fail_errno(err, "%s", path);
    }
    close(dir);
    dir = next;
  }
  return dir;
}

int open_in_root(int rootfd, const char *path, char create, berr_t *err)
{
  int fd = openat2_in(rootfd, path, O_PATH);
  if (fd >= 0) return fd;
  if (errno == ENOSYS) return fail(err, ENOSYS, "%s: openat2 needs Linux 5.6 or later", path);
  if (errno != ENOENT || !create) return fail_errno(err, "%s", path);
  /* component by component: each prefix is resolved by the kernel inside the root, and a missing
   * component is made in the directory its prefix resolved to, so nothing is made outside */
  char cur[PATH_MAX], next[PATH_MAX];
  snprintf(cur, sizeof cur, "%s", path);
  for (int hops = 0; hops < 40; hops++) {
    fd = walk(rootfd, cur, create, next, sizeof next, err);
    if (fd != -2) return fd;
    memcpy(cur, next, sizeof cur);
  }
  return fail(err, ELOOP, "%s: too many levels of symbolic links", path);
}

static int propagate(int mnt, unsigned long prop, const char *what, berr_t *err)
{
  if (!prop) return 0;
  struct mount_attr a = {.propagation = prop & ~(unsigned long)MS_REC};
  if (sys_mount_setattr(mnt, "", AT_EMPTY_PATH | ((prop & MS_REC) ? AT_RECURSIVE : 0), &a) < 0)
    return mount_fail(err, what, "mount_setattr");
  return 0;
}

int bind_at(const char *src, bool rec, unsigned long flags, unsigned long prop, int target, const char *what,
            berr_t *err)
{
  autoclose int tree = sys_open_tree(AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
  if (tree < 0) return mount_fail(err, what, "open_tree");
  /* before it is attached, so the container never sees it writable; only added, never taken away */
  struct mount_attr a = {.attr_set = attrs_of(flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC))};
  if (a.attr_set && sys_mount_setattr(tree, "", AT_EMPTY_PATH | (rec ? AT_RECURSIVE : 0), &a) < 0)
    return mount_fail(err, what, "mount_setattr");
  if (sys_move_mount(tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return mount_fail(err, what, "move_mount");
  return propagate(tree, prop, what, err);
}

int fs_at(const char *type, const char *source, unsigned long flags, const char *data, unsigned long prop, int target,
          const char *what, berr_t *err)
{
  autoclose int fs = sys_fsopen(type, FSOPEN_CLOEXEC);
  if (fs < 0) return mount_fail(err, what, "fsopen");
  if (source && *source && sys_fsconfig(fs, FSCONFIG_SET_STRING, "source", source, 0) < 0)
    return mount_fail(err, what, "fsconfig source");
  char opts[1024];
  if (snprintf(opts, sizeof opts, "%s", data ? data : "") >= (int)sizeof opts)
    return fail(err, E2BIG, "%s: mount options too long", what);
  char *save = NULL;
  for (char *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
    char *eq = strchr(o, '=');
    if (eq) *eq = 0;
    if (sys_fsconfig(fs, eq ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, o, eq ? eq + 1 : NULL, 0) < 0)
      return fail_errno(err, "%s: option %s%s%s", what, o, eq ? "=" : "", eq ? eq + 1 : "");
  }
  if ((flags & MS_SYNCHRONOUS) && sys_fsconfig(fs, FSCONFIG_SET_FLAG, "sync", NULL, 0) < 0)
    return mount_fail(err, what, "fsconfig sync");
  if (sys_fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) return mount_fail(err, what, "fsconfig create");
  autoclose int mnt = sys_fsmount(fs, FSMOUNT_CLOEXEC, (unsigned)attrs_of(flags));
  if (mnt < 0) return mount_fail(err, what, "fsmount");
  if (sys_move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return mount_fail(err, what, "move_mount");
  return propagate(mnt, prop, what, err);
}

int mount_add_flags(int dfd, const char *path, bool rec, unsigned long flags, berr_t *err)
{
  struct mount_attr a = {.attr_set = attrs_of(flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC))};
  if (sys_mount_setattr(dfd, path, (rec ? AT_RECURSIVE : 0) | (*path ? 0 : AT_EMPTY_PATH), &a) < 0)
    return mount_fail(err, *path ? path : "mount", "mount_setattr");
  return 0;
}
