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

int resolve_in_root(const char *root, const char *path, char create, char *out, size_t outlen, berr_t *err)
{
  /* cur: resolved path relative to root (no leading /); rest: still to walk */
  char cur[PATH_MAX] = "", rest[PATH_MAX * 2];
  snprintf(rest, sizeof rest, "%s", path);
  int hops = 0;
  char *p = rest;
  while (*p) {
    while (*p == '/') p++;
    if (!*p) break;
    char *end = strchr(p, '/');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    char comp[NAME_MAX + 1];
    if (len > NAME_MAX) return fail(err, ENAMETOOLONG, "path %s: component too long", path);
    memcpy(comp, p, len);
    comp[len] = 0;
    p += len;
    bool last = true;
    for (char *q = p; *q; q++)
      if (*q != '/') last = false;
    if (!strcmp(comp, ".")) continue;
    if (!strcmp(comp, "..")) {
      char *slash = strrchr(cur, '/');
      if (slash)
        *slash = 0;
      else
        cur[0] = 0;
      continue;
    }
    char next[PATH_MAX];
    snprintf(next, sizeof next, "%s%s%s", cur, cur[0] ? "/" : "", comp);
    char host[PATH_MAX];
    snprintf(host, sizeof host, "%s/%s", root, next);
    struct stat st;
    if (lstat(host, &st) < 0) {
      if (errno != ENOENT || !create) return fail_errno(err, "%s", path);
      if (last && create == 'f') {
        int fd = open(host, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) return fail_errno(err, "create mount point %s", path);
        close(fd);
      } else if (mkdir(host, 0755) < 0 && errno != EEXIST) {
        return fail_errno(err, "create mount point %s", path);
      }
      snprintf(cur, sizeof cur, "%s", next);
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++hops > 40) return fail(err, ELOOP, "%s: too many levels of symbolic links", path);
      char target[PATH_MAX];
      ssize_t n = readlink(host, target, sizeof target - 1);
      if (n < 0) return fail_errno(err, "readlink %s", host);
      target[n] = 0;
      char joined[PATH_MAX * 2];
      snprintf(joined, sizeof joined, "%s/%s", target, p);
      snprintf(rest, sizeof rest, "%s", joined);
      p = rest;
      if (target[0] == '/') cur[0] = 0; /* absolute links restart at the container's root */
      continue;
    }
    snprintf(cur, sizeof cur, "%s", next);
  }
  if ((size_t)snprintf(out, outlen, "%s%s%s", root, cur[0] ? "/" : "", cur) >= outlen)
    return fail(err, ENAMETOOLONG, "path %s too long", path);
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

static int mount_one(const spec_t *s, const spec_mount *m, berr_t *err)
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
  bool bind = (set & MS_BIND) || !strcmp(m->type, "bind");
  if (!strcmp(m->type, "cgroup") || !strcmp(m->type, "cgroup2")) {
    /* No cgroup namespace view: an empty read-only tmpfs keeps /sys/fs/cgroup present. */
    char dst[PATH_MAX];
    if (resolve_in_root(s->rootfs, m->destination, 'd', dst, sizeof dst, err) < 0) return -1;
    return do_mount("tmpfs", dst, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=755", err);
  }
  char dst[PATH_MAX];
  if (bind) {
    struct stat st;
    if (stat(m->source, &st) < 0) return fail_errno(err, "bind mount source %s", m->source);
    if (resolve_in_root(s->rootfs, m->destination, S_ISDIR(st.st_mode) ? 'd' : 'f', dst, sizeof dst, err) < 0)
      return -1;
    unsigned long rec = set & MS_REC;
    if (do_mount(m->source, dst, NULL, MS_BIND | rec, NULL, err) < 0) return -1;
    unsigned long extra = set & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
    if (extra && do_mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | extra, NULL, err) < 0) return -1;
  } else {
    if (resolve_in_root(s->rootfs, m->destination, 'd', dst, sizeof dst, err) < 0) return -1;
    if (!strcmp(m->type, "sysfs") && !(s->ns_flags & CLONE_NEWNET)) {
      /* sysfs needs its own network namespace; with the host's, bind the host's /sys read-only */
      if (do_mount("/sys", dst, NULL, MS_BIND | MS_REC, NULL, err) < 0) return -1;
      return do_mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
    }
    if (do_mount(m->source, dst, m->type, set & ~(MS_BIND | MS_REC | MS_REMOUNT), data, err) < 0) return -1;
  }
  if (prop && do_mount(NULL, dst, NULL, prop, NULL, err) < 0) return -1;
  return 0;
}

static int make_device(const char *root, const char *name, char type, long maj, long min, mode_t mode, uid_t uid,
                       gid_t gid, berr_t *err)
{
  char path[PATH_MAX];
  if (resolve_in_root(root, name, 0, path, sizeof path, err) == 0) return 0; /* already there (bind, earlier) */
  /* the node's directory, made inside the root (--device /dev/net/tun, a privileged container's /dev/dri/...) */
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", name);
  *strrchr(dir, '/') = 0;
  if (resolve_in_root(root, dir, 'd', path, sizeof path, err) < 0) return -1;
  size_t used = strlen(path);
  snprintf(path + used, sizeof path - used, "%s", strrchr(name, '/'));
  mode_t fmt = type == 'b' ? S_IFBLK : type == 'p' ? S_IFIFO : S_IFCHR;
  if (mknod(path, fmt | (mode & 07777), makedev(maj, min)) < 0) {
    if (errno != EPERM) return fail_errno(err, "mknod %s", name);
    /* not allowed to create devices here: bind the host's */
    int fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return fail_errno(err, "create %s", path);
    close(fd);
    if (do_mount(name, path, NULL, MS_BIND, NULL, err) < 0) return -1;
    return 0;
  }
  if (chmod(path, mode & 07777) < 0 || chown(path, uid, gid) < 0) return fail_errno(err, "set up %s", name);
  return 0;
}

static int setup_dev(const spec_t *s, berr_t *err)
{
  static const struct {
    const char *name;
    long maj, min;
  } defaults[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                  {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
  for (size_t k = 0; k < sizeof defaults / sizeof defaults[0]; k++)
    if (make_device(s->rootfs, defaults[k].name, 'c', defaults[k].maj, defaults[k].min, 0666, 0, 0, err) < 0) return -1;
  for (size_t k = 0; k < s->ndevices; k++) {
    const spec_device *d = &s->devices[k];
    if (strncmp(d->path, "/dev/", 5)) return fail(err, EINVAL, "device %s is not under /dev", d->path);
    if (make_device(s->rootfs, d->path, d->type, d->major, d->minor, d->mode, d->uid, d->gid, err) < 0) return -1;
  }
  static const struct {
    const char *name, *target;
  } links[] = {{"/dev/fd", "/proc/self/fd"},       {"/dev/stdin", "/proc/self/fd/0"},
               {"/dev/stdout", "/proc/self/fd/1"}, {"/dev/stderr", "/proc/self/fd/2"},
               {"/dev/core", "/proc/kcore"},       {"/dev/ptmx", "pts/ptmx"}};
  for (size_t k = 0; k < sizeof links / sizeof links[0]; k++) {
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s", s->rootfs, links[k].name);
    if (!strcmp(links[k].name, "/dev/ptmx")) unlink(path); /* a devtmpfs-style node would bypass the new devpts */
    if (symlink(links[k].target, path) < 0 && errno != EEXIST) return fail_errno(err, "symlink %s", links[k].name);
  }
  return 0;
}

static int open_console(const spec_t *s, int *master, int *slave, berr_t *err)
{
  char ptmx[PATH_MAX];
  snprintf(ptmx, sizeof ptmx, "%s/dev/pts/ptmx", s->rootfs);
  *master = open(ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*master < 0) return fail_errno(err, "open the container's /dev/pts/ptmx (is devpts mounted with newinstance?)");
  int unlock = 0, n = 0;
  if (ioctl(*master, TIOCSPTLCK, &unlock) < 0 || ioctl(*master, TIOCGPTN, &n) < 0)
    return fail_errno(err, "set up the pty");
  char path[PATH_MAX];
  snprintf(path, sizeof path, "%s/dev/pts/%d", s->rootfs, n);
  *slave = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (*slave < 0) return fail_errno(err, "open %s", path);
  if (s->rows && s->cols) {
    struct winsize ws = {.ws_row = s->rows, .ws_col = s->cols};
    ioctl(*slave, TIOCSWINSZ, &ws);
  }
  char console[PATH_MAX];
  snprintf(console, sizeof console, "%s/dev/console", s->rootfs);
  int fd = open(console, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) close(fd);
  return do_mount(path, console, NULL, MS_BIND, NULL, err);
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
    if (do_mount(NULL, *p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err) < 0)
      return -1;
  }
  return 0;
}

int rootfs_setup(const spec_t *s, int *console_master, int *console_slave, berr_t *err)
{
  /* nothing mounted from here on propagates back to the host */
  if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) return fail_errno(err, "make / a slave mount");
  if (s->overlay) {
    if (s->overlay_chdir && chdir(s->overlay_chdir) < 0) return fail_errno(err, "chdir %s", s->overlay_chdir);
    if (do_mount("overlay", s->rootfs, "overlay", 0, s->overlay, err) < 0) return -1;
  } else if (do_mount(s->rootfs, s->rootfs, NULL, MS_BIND | MS_REC, NULL, err) < 0) {
    return -1;
  }
  for (size_t k = 0; k < s->nmounts; k++)
    if (mount_one(s, &s->mounts[k], err) < 0) return -1;
  if (setup_dev(s, err) < 0) return -1;
  if (s->terminal && open_console(s, console_master, console_slave, err) < 0) return -1;
  if (pivot(s->rootfs, err) < 0) return -1;
  if (mask_paths(s, err) < 0) return -1;
  if (s->readonly && do_mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL, err) < 0) return -1;
  return 0;
}
