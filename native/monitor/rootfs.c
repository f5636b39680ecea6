#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>
#include "mountfd.h"

int mount_flag(const char *w, unsigned long *set, unsigned long *clear, unsigned long *prop)
{
  static const struct {
    const char *name;
    unsigned long flag;
    int kind; /* 0 set, 1 clear, 2 propagation */
  } words[] = {
      {"ro", MS_RDONLY, 0},
      {"rw", MS_RDONLY, 1},
      {"nosuid", MS_NOSUID, 0},
      {"suid", MS_NOSUID, 1},
      {"nodev", MS_NODEV, 0},
      {"dev", MS_NODEV, 1},
      {"noexec", MS_NOEXEC, 0},
      {"exec", MS_NOEXEC, 1},
      {"sync", MS_SYNCHRONOUS, 0},
      {"async", MS_SYNCHRONOUS, 1},
      {"noatime", MS_NOATIME, 0},
      {"atime", MS_NOATIME, 1},
      {"nodiratime", MS_NODIRATIME, 0},
      {"diratime", MS_NODIRATIME, 1},
      {"relatime", MS_RELATIME, 0},
      {"norelatime", MS_RELATIME, 1},
      {"strictatime", MS_STRICTATIME, 0},
      {"nostrictatime", MS_STRICTATIME, 1},
      {"bind", MS_BIND, 0},
      {"rbind", MS_BIND | MS_REC, 0},
      {"remount", MS_REMOUNT, 0},
      {"private", MS_PRIVATE, 2},
      {"rprivate", MS_PRIVATE | MS_REC, 2},
      {"slave", MS_SLAVE, 2},
      {"rslave", MS_SLAVE | MS_REC, 2},
      {"shared", MS_SHARED, 2},
      {"rshared", MS_SHARED | MS_REC, 2},
      {"unbindable", MS_UNBINDABLE, 2},
      {"runbindable", MS_UNBINDABLE | MS_REC, 2},
  };
  for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
    if (strcmp(w, words[k].name)) continue;
    if (words[k].kind == 0)
      *set |= words[k].flag;
    else if (words[k].kind == 1)
      *clear |= words[k].flag;
    else
      *prop = words[k].flag;
    return 1;
  }
  return 0;
}

static int do_mount(const char *src, const char *dst, const char *type, unsigned long flags, const char *data,
                    berr_t *err)
{
  if (mount(src, dst, type, flags, data) < 0)
    return fail_errno(err, "mount %s on %s (%s%s%s)", src && *src ? src : "none", dst, type ? type : "bind",
                      data && *data ? ", " : "", data ? data : "");
  return 0;
}

static int mount_one(const spec_t *s, int rootfd, const spec_mount *m, berr_t *err)
{
  unsigned long set = 0, clear = 0, prop = 0;
  char data[1024] = "";
  for (const char **o = m->options; o && *o; o++) {
    if (mount_flag(*o, &set, &clear, &prop)) continue;
    if (strlen(data) + strlen(*o) + 2 >= sizeof data)
      return fail(err, E2BIG, "mount options of %s are too long", m->destination);
    if (data[0]) strcat(data, ",");
    strcat(data, *o);
  }
  const char *dest = m->destination;
  bool bind = (set & MS_BIND) || !strcmp(m->type, "bind");
  if (!strcmp(m->type, "cgroup") || !strcmp(m->type, "cgroup2")) {
    /* no view of the hierarchies: an empty read-only tmpfs keeps /sys/fs/cgroup present */
    autoclose int dst = open_in_root(rootfd, dest, 'd', err);
    if (dst < 0) return -1;
    return fs_at("tmpfs", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=755", 0, dst, dest, err);
  }
  if (bind) {
    struct stat st;
    if (stat(m->source, &st) < 0) return fail_errno(err, "bind mount source %s", m->source);
    autoclose int dst = open_in_root(rootfd, dest, S_ISDIR(st.st_mode) ? 'd' : 'f', err);
    if (dst < 0) return -1;
    return bind_at(m->source, (set & MS_REC) != 0, set, prop, dst, dest, err);
  }
  autoclose int dst = open_in_root(rootfd, dest, 'd', err);
  if (dst < 0) return -1;
  if (fs_at(m->type, m->source, set & ~(MS_BIND | MS_REC | MS_REMOUNT), data, prop, dst, dest, err) == 0) return 0;
  if (strcmp(m->type, "sysfs") || err->code != EPERM) return -1;
  /* not allowed a sysfs of its own (a user namespace without its own network): the host's, read-only throughout */
  berr_t e2 = {0};
  if (bind_at("/sys", true, set | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, prop, dst, dest, &e2) < 0) {
    *err = e2;
    return -1;
  }
  return 0;
}

static int make_device(int rootfd, const char *name, char type, long maj, long min, mode_t mode, uid_t uid, gid_t gid,
                       berr_t *err)
{
  berr_t ignored = {0};
  int there = open_in_root(rootfd, name, 0, &ignored);
  if (there >= 0) { /* already there (bind, earlier) */
    close(there);
    return 0;
  }
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", name);
  char *slash = strrchr(dir, '/');
  const char *base = slash ? slash + 1 : dir;
  if (slash) *slash = 0;
  autoclose int dfd = open_in_root(rootfd, dir[0] ? dir : "/", 'd', err);
  if (dfd < 0) return -1;
  mode_t fmt = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
  mode_t old = umask(0);
  int r = mknodat(dfd, base, fmt | (mode & 07777), makedev(maj, min));
  umask(old);
  if (r < 0) {
    if (errno != EPERM) return fail_errno(err, "mknod %s", name);
    /* not allowed to create devices here: bind the host's */
    int fd = openat(dfd, base, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0) return fail_errno(err, "create %s", name);
    close(fd);
    autoclose int dst = openat(dfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (dst < 0) return fail_errno(err, "open %s", name);
    return bind_at(name, false, 0, 0, dst, name, err);
  }
  if (fchownat(dfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno(err, "set up %s", name);
  return 0;
}

static int setup_dev(const spec_t *s, int rootfd, berr_t *err)
{
  static const struct {
    const char *name;
    long maj, min;
  } defaults[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                  {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
  for (size_t k = 0; k < sizeof defaults / sizeof defaults[0]; k++)
    if (make_device(rootfd, defaults[k].name, 'c', defaults[k].maj, defaults[k].min, 0666, 0, 0, err) < 0) return -1;
  for (size_t k = 0; k < s->ndevices; k++) {
    const spec_device *d = &s->devices[k];
    if (strncmp(d->path, "/dev/", 5)) return fail(err, EINVAL, "device %s is not under /dev", d->path);
    if (make_device(rootfd, d->path, d->type, d->major, d->minor, d->mode, d->uid, d->gid, err) < 0) return -1;
  }
  static const struct {
    const char *name, *target;
  } links[] = {{"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
               {"stderr", "/proc/self/fd/2"}, {"core", "/proc/kcore"},      {"ptmx", "pts/ptmx"}};
  autoclose int dev = open_in_root(rootfd, "/dev", 'd', err);
  if (dev < 0) return -1;
  for (size_t k = 0; k < sizeof links / sizeof links[0]; k++) {
    if (!strcmp(links[k].name, "ptmx"))
      unlinkat(dev, "ptmx", 0); /* a devtmpfs-style node would bypass the new devpts */
    if (symlinkat(links[k].target, dev, links[k].name) < 0 && errno != EEXIST)
      return fail_errno(err, "symlink /dev/%s", links[k].name);
  }
  return 0;
}

static int open_console(int rootfd, const spec_t *s, int *master, int *slave, berr_t *err)
{
  autoclose int ptmx = open_in_root(rootfd, "/dev/pts/ptmx", 0, err);
  if (ptmx < 0) return -1;
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", ptmx);
  *master = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*master < 0) return fail_errno(err, "open the container's /dev/pts/ptmx (is devpts mounted with newinstance?)");
  int unlock = 0;
  if (ioctl(*master, TIOCSPTLCK, &unlock) < 0) return fail_errno(err, "set up the pty");
  *slave = ioctl(*master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*slave < 0) return fail_errno(err, "open the pty");
  if (s->rows && s->cols) {
    struct winsize ws = {.ws_row = s->rows, .ws_col = s->cols};
    ioctl(*slave, TIOCSWINSZ, &ws);
  }
  autoclose int console = open_in_root(rootfd, "/dev/console", 'f', err);
  if (console < 0) return -1;
  snprintf(path, sizeof path, "/proc/self/fd/%d", *slave);
  return bind_at(path, false, 0, 0, console, "/dev/console", err);
}

static int pivot(const char *root, berr_t *err)
{
  if (chdir(root) < 0) return fail_errno(err, "chdir %s", root);
  if (syscall(SYS_pivot_root, ".", ".") < 0) return fail_errno(err, "pivot_root %s", root);
  if (umount2(".", MNT_DETACH) < 0) return fail_errno(err, "detach the old root");
  if (chdir("/") < 0) return fail_errno(err, "chdir /");
  return 0;
}

static int mask_paths(const spec_t *s, berr_t *err)
{
  for (const char **p = s->masked; p && *p; p++) {
    struct stat st;
    if (stat(*p, &st) < 0) {
      if (errno == ENOENT) continue;
      return fail_errno(err, "masked path %s", *p);
    }
    if (S_ISDIR(st.st_mode)) {
      if (do_mount("tmpfs", *p, "tmpfs", MS_RDONLY, "size=0", err) < 0) return -1;
    } else if (do_mount("/dev/null", *p, NULL, MS_BIND, NULL, err) < 0) {
      return -1;
    }
  }
  for (const char **p = s->readonly_paths; p && *p; p++) {
    if (mount(*p, *p, NULL, MS_BIND | MS_REC, NULL) < 0) {
      if (errno == ENOENT) continue;
      return fail_errno(err, "read-only path %s", *p);
    }
    if (mount_add_flags(AT_FDCWD, *p, true, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, err) < 0) return -1;
  }
  return 0;
}

int rootfs_setup(const spec_t *s, int *console_master, int *console_slave, berr_t *err)
{
  /* nothing mounted from here on propagates back to the host */
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) return fail_errno(err, "make / a slave mount");
  /* device nodes in the image's layers (or made in the root) open nothing: only /dev's work */
  unsigned long nodev = s->rootfs_dev ? 0 : MS_NODEV;
  if (s->overlay) {
    if (s->overlay_chdir && chdir(s->overlay_chdir) < 0) return fail_errno(err, "chdir %s", s->overlay_chdir);
    if (do_mount("overlay", s->rootfs, "overlay", nodev, s->overlay, err) < 0) return -1;
  } else {
    if (do_mount(s->rootfs, s->rootfs, NULL, MS_BIND | MS_REC, NULL, err) < 0) return -1;
    if (nodev && mount_add_flags(AT_FDCWD, s->rootfs, false, nodev, err) < 0) return -1;
  }
  autoclose int rootfd = open(s->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) return fail_errno(err, "open %s", s->rootfs);
  for (size_t k = 0; k < s->nmounts; k++)
    if (mount_one(s, rootfd, &s->mounts[k], err) < 0) return -1;
  if (setup_dev(s, rootfd, err) < 0) return -1;
  if (s->terminal && open_console(rootfd, s, console_master, console_slave, err) < 0) return -1;
  if (pivot(s->rootfs, err) < 0) return -1;
  if (mask_paths(s, err) < 0) return -1;
  if (s->readonly && mount_add_flags(AT_FDCWD, "/", false, MS_RDONLY, err) < 0) return -1;
  return 0;
}
