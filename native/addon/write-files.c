/*
 * writeFilesAsync(paths, data, meta): create many small files beside the
 * caller's thread, in libuv's pool (a build's COPY writes its files this
 * way, a few batches at once, one per directory group). Each file is what
 * Node's openSync/writeSync/fchownSync/fchmodSync/futimesSync/closeSync
 * made of it, one syscall each:
 *   paths  the files' paths, each ended by a NUL (none may exist: O_EXCL)
 *   data   their bytes, one after the other
 *   meta   a Float64Array of 7 numbers per file: length, mode, uid, gid,
 *          chown (1: set the owner), atime, mtime (seconds, converted as
 *          libuv converts a futimes time: whole microseconds)
 * Resolves when every file is written; rejects with the first error (its
 * path named), after which no more files of the batch are made.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"

#define FIELDS 7

struct write_work {
  struct pool_work pw; /* keeps data and meta */
  char *paths;         /* owned copy */
  size_t paths_len;
  const unsigned char *data;
  size_t data_len;
  const double *meta;
  size_t count;
  int err;
  const char *err_syscall;
  const char *err_path;
};

/* libuv's uv__fs_to_timespec: microseconds, the rest cut */
static struct timespec to_timespec(double t)
{
  struct timespec ts;
  ts.tv_sec = (time_t)t;
  ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
  ts.tv_nsec -= ts.tv_nsec % 1000;
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1000000000;
    ts.tv_sec -= 1;
  }
  return ts;
}

static int write_one(struct write_work *w, const char *path, const unsigned char *bytes, const double *m)
{
  size_t len = (size_t)m[0];
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    w->err_syscall = "open";
    return errno;
  }
  size_t off = 0;
  while (off < len) {
    ssize_t n = write(fd, bytes + off, len - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = n < 0 ? errno : EIO;
      close(fd);
      w->err_syscall = "write";
      return e;
    }
    off += (size_t)n;
  }
  struct timespec times[2] = {to_timespec(m[5]), to_timespec(m[6])};
  const char *call = NULL;
  if (m[4] != 0 && fchown(fd, (uid_t)m[2], (gid_t)m[3]) < 0)
    call = "fchown";
  else if (fchmod(fd, (mode_t)m[1]) < 0)
    call = "fchmod";
  else if (futimens(fd, times) < 0)
    call = "futime";
  int e = call ? errno : 0;
  if (close(fd) < 0 && !call) {
    call = "close";
    e = errno;
  }
  w->err_syscall = call;
  return e;
}

static void write_execute(napi_env env, void *data)
{
  (void)env;
  struct write_work *w = data;
  const char *p = w->paths, *end = w->paths + w->paths_len;
  size_t at = 0;
  for (size_t i = 0; i < w->count; i++) {
    const double *m = w->meta + i * FIELDS;
    size_t len = (size_t)m[0];
    size_t plen = strnlen(p, (size_t)(end - p));
    if (p + plen >= end || at + len > w->data_len) {
      w->err = EINVAL;
      w->err_syscall = "writeFiles";
      w->err_path = NULL;
      return;
    }
    int e = write_one(w, p, w->data + at, m);
    if (e) {
      w->err = e;
      w->err_path = p;
      return;
    }
    at += len;
    p += plen + 1;
  }
}

static void write_complete(napi_env env, napi_status status, void *data)
{
  struct write_work *w = data;
  settle_promise(env, w->pw.deferred, status, w->err, w->err_syscall ? w->err_syscall : "writeFiles", w->err_path);
  pool_release(env, &w->pw);
  free(w->paths);
  free(w);
}

static napi_value fail(napi_env env, struct write_work *w, int e, const char *what)
{
  if (w) {
    free(w->paths);
    free(w);
  }
  napi_throw(env, errno_error(env, e, what, NULL));
  return NULL;
}

napi_value js_write_files_async(napi_env env, napi_callback_info info)
{
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) return fail(env, NULL, EINVAL, "writeFiles");
  struct write_work *w = calloc(1, sizeof *w);
  if (!w) return fail(env, NULL, ENOMEM, "writeFiles");
  size_t plen;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &plen) != napi_ok) return fail(env, w, EINVAL, "writeFiles");
  w->paths = malloc(plen + 1);
  if (!w->paths) return fail(env, w, ENOMEM, "writeFiles");
  napi_get_value_string_utf8(env, argv[0], w->paths, plen + 1, &w->paths_len);
  void *bytes;
  if (napi_get_buffer_info(env, argv[1], &bytes, &w->data_len) != napi_ok) return fail(env, w, EINVAL, "writeFiles");
  w->data = bytes;
  napi_typedarray_type type;
  size_t length;
  void *meta;
  if (napi_get_typedarray_info(env, argv[2], &type, &length, &meta, NULL, NULL) != napi_ok ||
      type != napi_float64_array || length % FIELDS)
    return fail(env, w, EINVAL, "writeFiles");
  w->meta = meta;
  w->count = length / FIELDS;
  napi_value promise = pool_queue(env, &w->pw, "berth:writeFiles", write_execute, write_complete, w, argv + 1, 2);
  if (!promise) return fail(env, w, EIO, "writeFiles");
  return promise;
}
