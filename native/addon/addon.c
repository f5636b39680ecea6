/*
 * berth_native: the few file-system calls Node.js does not offer and the
 * engine needs: mknod (whiteouts, device nodes), extended attributes
 * (trusted.overlay.opaque, SCHILY.xattr.*), mount/umount (a stopped
 * container's merged view for export and cp), syncfs, pidfds (so that
 * cp reaches a running container's root only while its process is the one
 * that was checked), the ext4 "top directory" attribute (chattr +T) for
 * the store's scratch directory, and flock (host-wide network changes are
 * made one at a time by every berth process), and a batch writer of small
 * files (write-files.c).
 *
 * Every function throws an Error with `code` (e.g. "ENOENT"), `errno`,
 * `syscall` and `path` set, like Node's own fs errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "errors.h"

#define MAX_ARGS 6
#define PATH_BUF 4096

static const char *errno_name(int e)
{
  switch (e) {
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case EACCES: return "EACCES";
    case EPERM: return "EPERM";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case ENOTSUP: return "ENOTSUP";
    case ENODATA: return "ENODATA";
    case EBUSY: return "EBUSY";
    case ENOSPC: return "ENOSPC";
    case ERANGE: return "ERANGE";
    case EROFS: return "EROFS";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ELOOP: return "ELOOP";
    case ESRCH: return "ESRCH";
    case EBADF: return "EBADF";
    case ENOSYS: return "ENOSYS";
    case ENOMEM: return "ENOMEM";
    case EDQUOT: return "EDQUOT";
    case EFBIG: return "EFBIG";
    default: return "EIO";
  }
}

napi_value errno_error(napi_env env, int e, const char *syscall, const char *path)
{
  char msg[PATH_BUF + 128];
  snprintf(msg, sizeof msg, "%s: %s, %s '%s'", errno_name(e), strerror(e), syscall, path ? path : "");
  napi_value jmsg, err, v;
  napi_create_string_utf8(env, msg, NAPI_AUTO_LENGTH, &jmsg);
  napi_create_error(env, NULL, jmsg, &err);
  napi_create_string_utf8(env, errno_name(e), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, err, "code", v);
  napi_create_int32(env, -e, &v);
  napi_set_named_property(env, err, "errno", v);
  napi_create_string_utf8(env, syscall, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, err, "syscall", v);
  if (path) {
    napi_create_string_utf8(env, path, NAPI_AUTO_LENGTH, &v);
    napi_set_named_property(env, err, "path", v);
  }
  return err;
}

void settle_promise(napi_env env, napi_deferred deferred, napi_status status, int err, const char *syscall,
                    const char *path)
{
  if (status == napi_ok && err == 0) {
    napi_value undef;
    napi_get_undefined(env, &undef);
    napi_resolve_deferred(env, deferred, undef);
  } else
    napi_reject_deferred(env, deferred, errno_error(env, err ? err : EIO, syscall, path));
}

static napi_value throw_errno(napi_env env, int e, const char *syscall, const char *path)
{
  napi_throw(env, errno_error(env, e, syscall, path));
  return NULL;
}

static napi_value throw_type(napi_env env, const char *msg)
{
  napi_throw_type_error(env, NULL, msg);
  return NULL;
}

/* Reads argument i as a string into buf; returns 0 or -1 (exception pending). */
static int arg_string(napi_env env, napi_value *argv, size_t argc, size_t i, char *buf, size_t len)
{
  size_t n = 0;
  if (i >= argc || napi_get_value_string_utf8(env, argv[i], buf, len, &n) != napi_ok) {
    throw_type(env, "expected a string argument");
    return -1;
  }
  if (n >= len - 1) {
    throw_type(env, "string argument too long");
    return -1;
  }
  return 0;
}

static int arg_uint(napi_env env, napi_value *argv, size_t argc, size_t i, uint32_t *out)
{
  if (i >= argc || napi_get_value_uint32(env, argv[i], out) != napi_ok) {
    throw_type(env, "expected a number argument");
    return -1;
  }
  return 0;
}

#define GET_ARGS(n)                                                                                                    \
  size_t argc = (n);                                                                                                   \
  napi_value argv[MAX_ARGS];                                                                                           \
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL)

/* mknod(path, mode, major, minor) */
static napi_value js_mknod(napi_env env, napi_callback_info info)
{
  GET_ARGS(4);
  char path[PATH_BUF];
  uint32_t mode, maj, min;
  if (arg_string(env, argv, argc, 0, path, sizeof path) || arg_uint(env, argv, argc, 1, &mode) ||
      arg_uint(env, argv, argc, 2, &maj) || arg_uint(env, argv, argc, 3, &min))
    return NULL;
  if (mknod(path, (mode_t)mode, makedev(maj, min)) < 0) return throw_errno(env, errno, "mknod", path);
  return NULL;
}

/* lsetxattr(path, name, value: Buffer) */
static napi_value js_lsetxattr(napi_env env, napi_callback_info info)
{
  GET_ARGS(3);
  char path[PATH_BUF], name[256];
  void *data = NULL;
  size_t len = 0;
  if (arg_string(env, argv, argc, 0, path, sizeof path) || arg_string(env, argv, argc, 1, name, sizeof name))
    return NULL;
  if (argc < 3 || napi_get_buffer_info(env, argv[2], &data, &len) != napi_ok)
    return throw_type(env, "expected a Buffer value");
  if (lsetxattr(path, name, data, len, 0) < 0) return throw_errno(env, errno, "lsetxattr", path);
  return NULL;
}

/* lgetxattr(path, name): Buffer | null when the attribute is absent */
static napi_value js_lgetxattr(napi_env env, napi_callback_info info)
{
  GET_ARGS(2);
  char path[PATH_BUF], name[256];
  if (arg_string(env, argv, argc, 0, path, sizeof path) || arg_string(env, argv, argc, 1, name, sizeof name))
    return NULL;
  for (;;) {
    ssize_t n = lgetxattr(path, name, NULL, 0);
    if (n < 0) {
      napi_value nul;
      if (errno == ENODATA || errno == ENOTSUP) {
        napi_get_null(env, &nul);
        return nul;
      }
      return throw_errno(env, errno, "lgetxattr", path);
    }
    void *buf;
    napi_value out;
    napi_create_buffer(env, (size_t)n, &buf, &out);
    ssize_t m = n ? lgetxattr(path, name, buf, (size_t)n) : 0;
    if (m < 0 && errno == ERANGE) continue; /* grew in between */
    if (m < 0) return throw_errno(env, errno, "lgetxattr", path);
    if (m != n) {
      napi_value sliced;
      void *b2;
      napi_create_buffer_copy(env, (size_t)m, buf, &b2, &sliced);
      return sliced;
    }
    return out;
  }
}

/* llistxattr(path): string[] */
static napi_value js_llistxattr(napi_env env, napi_callback_info info)
{
  GET_ARGS(1);
  char path[PATH_BUF];
  if (arg_string(env, argv, argc, 0, path, sizeof path)) return NULL;
  napi_value arr;
  napi_create_array(env, &arr);
  ssize_t n = llistxattr(path, NULL, 0);
  if (n < 0) {
    if (errno == ENOTSUP) return arr;
    return throw_errno(env, errno, "llistxattr", path);
  }
  if (n == 0) return arr;
  char *buf = malloc((size_t)n + 1);
  if (!buf) return throw_errno(env, ENOMEM, "llistxattr", path);
  ssize_t m = llistxattr(path, buf, (size_t)n);
  if (m < 0) {
    int e = errno;
    free(buf);
    return throw_errno(env, e, "llistxattr", path);
  }
  uint32_t idx = 0;
  for (ssize_t off = 0; off < m;) {
    size_t l = strlen(buf + off);
    napi_value s;
    napi_create_string_utf8(env, buf + off, l, &s);
    napi_set_element(env, arr, idx++, s);
    off += (ssize_t)l + 1;
  }
  free(buf);
  return arr;
}

/* mount(source, target, fstype, flags, data) */
static napi_value js_mount(napi_env env, napi_callback_info info)
{
  GET_ARGS(5);
  char src[PATH_BUF], target[PATH_BUF], fstype[64], data[PATH_BUF];
  uint32_t flags;
  if (arg_string(env, argv, argc, 0, src, sizeof src) || arg_string(env, argv, argc, 1, target, sizeof target) ||
      arg_string(env, argv, argc, 2, fstype, sizeof fstype) || arg_uint(env, argv, argc, 3, &flags) ||
      arg_string(env, argv, argc, 4, data, sizeof data))
    return NULL;
  if (mount(src, target, fstype[0] ? fstype : NULL, flags, data[0] ? data : NULL) < 0)
    return throw_errno(env, errno, "mount", target);
  return NULL;
}

/* umount(target, flags) */
static napi_value js_umount(napi_env env, napi_callback_info info)
{
  GET_ARGS(2);
  char target[PATH_BUF];
  uint32_t flags = 0;
  if (arg_string(env, argv, argc, 0, target, sizeof target)) return NULL;
  if (argc > 1 && arg_uint(env, argv, argc, 1, &flags)) return NULL;
  if (umount2(target, (int)flags) < 0) return throw_errno(env, errno, "umount2", target);
  return NULL;
}

/* syncfs(path): flush the file system that holds path */
static napi_value js_syncfs(napi_env env, napi_callback_info info)
{
  GET_ARGS(1);
  char path[PATH_BUF];
  if (arg_string(env, argv, argc, 0, path, sizeof path)) return NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  if (fd < 0) return throw_errno(env, errno, "open", path);
  int r = syncfs(fd);
  int e = errno;
  close(fd);
  if (r < 0) return throw_errno(env, e, "syncfs", path);
  return NULL;
}

/* syncfsAsync(path): the same on a thread of libuv's pool; a promise. The
 * directory is opened at once (its errors are thrown), the flush runs beside
 * the caller's thread (a pull flushes what it has written while it goes on). */
struct syncfs_work {
  struct pool_work pw;
  int fd;
  int err;
  char path[PATH_BUF];
};

static void syncfs_execute(napi_env env, void *data)
{
  (void)env;
  struct syncfs_work *w = data;
  w->err = syncfs(w->fd) < 0 ? errno : 0;
  close(w->fd);
}

static void syncfs_complete(napi_env env, napi_status status, void *data)
{
  struct syncfs_work *w = data;
  settle_promise(env, w->pw.deferred, status, w->err, "syncfs", w->path);
  pool_release(env, &w->pw);
  free(w);
}

static napi_value js_syncfs_async(napi_env env, napi_callback_info info)
{
  GET_ARGS(1);
  struct syncfs_work *w = calloc(1, sizeof *w);
  if (!w) return throw_errno(env, ENOMEM, "syncfs", NULL);
  if (arg_string(env, argv, argc, 0, w->path, sizeof w->path)) {
    free(w);
    return NULL;
  }
  w->fd = open(w->path, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
  if (w->fd < 0) {
    int e = errno;
    napi_value err = throw_errno(env, e, "open", w->path);
    free(w);
    return err;
  }
  napi_value promise = pool_queue(env, &w->pw, "berth:syncfs", syncfs_execute, syncfs_complete, w, NULL, 0);
  if (!promise) {
    close(w->fd);
    free(w);
    return throw_errno(env, EIO, "syncfs", NULL);
  }
  return promise;
}

/* setTopdir(path): give a directory the "top of unrelated hierarchies" attribute
 * (FS_TOPDIR_FL, chattr +T), so that ext4's Orlov allocator spreads each new
 * subdirectory over the block groups instead of packing it beside its siblings.
 * Returns true when the directory has the attribute, false when its file
 * system has no such attribute (tmpfs, xfs, btrfs, overlay, ...). */
static napi_value js_set_topdir(napi_env env, napi_callback_info info)
{
  GET_ARGS(1);
  char path[PATH_BUF];
  if (arg_string(env, argv, argc, 0, path, sizeof path)) return NULL;
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW);
  if (fd < 0) return throw_errno(env, errno, "open", path);
  int flags = 0; /* the kernel reads and writes an int, whatever the ioctl's declared type */
  int r = ioctl(fd, FS_IOC_GETFLAGS, &flags);
  const char *call = "ioctl(FS_IOC_GETFLAGS)";
  if (r == 0 && !(flags & FS_TOPDIR_FL)) {
    flags |= FS_TOPDIR_FL;
    r = ioctl(fd, FS_IOC_SETFLAGS, &flags);
    call = "ioctl(FS_IOC_SETFLAGS)";
  }
  int e = errno;
  close(fd);
  napi_value out;
  if (r < 0) {
    if (e != ENOTTY && e != EOPNOTSUPP && e != EINVAL) return throw_errno(env, e, call, path);
    napi_get_boolean(env, false, &out);
    return out;
  }
  napi_get_boolean(env, true, &out);
  return out;
}

/* chroot(path): used by the file-system helper process so that every path
 * it opens resolves inside a container's root, symlinks included. */
static napi_value js_chroot(napi_env env, napi_callback_info info)
{
  GET_ARGS(1);
  char path[PATH_BUF];
  if (arg_string(env, argv, argc, 0, path, sizeof path)) return NULL;
  if (chroot(path) < 0) return throw_errno(env, errno, "chroot", path);
  if (chdir("/") < 0) return throw_errno(env, errno, "chdir", "/");
  return NULL;
}

/* pidfdOpen(pid): a pidfd for the process (it names that process, never a later one with the same pid). */
static napi_value js_pidfd_open(napi_env env, napi_callback_info info)
{
  GET_ARGS(1);
  uint32_t pid;
  if (arg_uint(env, argv, argc, 0, &pid)) return NULL;
  int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
  if (fd < 0) return throw_errno(env, errno, "pidfd_open", NULL);
  if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
    int e = errno;
    close(fd);
    return throw_errno(env, e, "fcntl", NULL);
  }
  napi_value v;
  napi_create_int32(env, fd, &v);
  return v;
}

/* pidfdAlive(fd): whether the process of the pidfd has not exited (signal 0 through the pidfd). */
static napi_value js_pidfd_alive(napi_env env, napi_callback_info info)
{
  GET_ARGS(1);
  uint32_t fd;
  if (arg_uint(env, argv, argc, 0, &fd)) return NULL;
  int r = (int)syscall(SYS_pidfd_send_signal, (int)fd, 0, NULL, 0);
  if (r < 0 && errno != ESRCH) return throw_errno(env, errno, "pidfd_send_signal", NULL);
  napi_value v;
  napi_get_boolean(env, r == 0, &v);
  return v;
}

/* flock(fd, exclusive): wait for a lock on an open file (LOCK_EX, else LOCK_UN). */
static napi_value js_flock(napi_env env, napi_callback_info info)
{
  GET_ARGS(2);
  uint32_t fd;
  bool exclusive = false;
  if (arg_uint(env, argv, argc, 0, &fd)) return NULL;
  if (argc > 1) napi_get_value_bool(env, argv[1], &exclusive);
  int r;
  while ((r = flock((int)fd, exclusive ? LOCK_EX : LOCK_UN)) < 0 && errno == EINTR) {}
  if (r < 0) return throw_errno(env, errno, "flock", NULL);
  return NULL;
}

static napi_value init(napi_env env, napi_value exports)
{
  napi_property_descriptor props[] = {
      {"mknod", NULL, js_mknod, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lsetxattr", NULL, js_lsetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"lgetxattr", NULL, js_lgetxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"llistxattr", NULL, js_llistxattr, NULL, NULL, NULL, napi_enumerable, NULL},
      {"mount", NULL, js_mount, NULL, NULL, NULL, napi_enumerable, NULL},
      {"umount", NULL, js_umount, NULL, NULL, NULL, napi_enumerable, NULL},
      {"syncfs", NULL, js_syncfs, NULL, NULL, NULL, napi_enumerable, NULL},
      {"syncfsAsync", NULL, js_syncfs_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"setTopdir", NULL, js_set_topdir, NULL, NULL, NULL, napi_enumerable, NULL},
      {"chroot", NULL, js_chroot, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pidfdOpen", NULL, js_pidfd_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"pidfdAlive", NULL, js_pidfd_alive, NULL, NULL, NULL, napi_enumerable, NULL},
      {"flock", NULL, js_flock, NULL, NULL, NULL, napi_enumerable, NULL},
      {"writeFilesAsync", NULL, js_write_files_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"readFilesAsync", NULL, js_read_files_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"hashWriter", NULL, js_hash_writer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"hashWriteAsync", NULL, js_hash_write_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"hashDigest", NULL, js_hash_digest, NULL, NULL, NULL, napi_enumerable, NULL},
      {"inflater", NULL, js_inflater, NULL, NULL, NULL, napi_enumerable, NULL},
      {"inflateAsync", NULL, js_inflate_async, NULL, NULL, NULL, napi_enumerable, NULL},
      {"inflateAvailable", NULL, NULL, NULL, NULL, inflate_available(env), napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof props[0], props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
