/*
 * readFilesAsync(paths, meta, arena, out, digests): read many regular files
 * beside the caller's thread, in libuv's pool (a build's COPY checksum reads
 * its context this way, two batches at once), as reads.ts read them one by
 * one on the main thread:
 *   paths    the files' host paths, each ended by a NUL
 *   meta     a Float64Array of 6 numbers per file, from the lstat the walk
 *            took: dev, ino, mode, size, keep (1: keep the bytes), at (where
 *            in `arena` the kept bytes go; size + 1 bytes are free there)
 *   arena    where kept bytes are read to
 *   out      a Float64Array of 2 numbers per file, filled: kept (1: the
 *            file's `size` bytes are at `at`; 0: not kept, the copy reads the
 *            file again), xattrs (1: flistxattr names some attribute)
 *   digests  32 bytes per file, filled: the sha256 of the file's bytes
 * Each file is opened without following a symbolic link in its last
 * component and must be the entry the lstat saw (same dev, ino, type and
 * permissions): a link swapped in fails open (ELOOP), another file fails
 * the comparison, which rejects with code ESTALE and syscall "changed" (the
 * caller names the file). A file whose size differs from the lstat's is
 * hashed whole but not kept. Resolves when every file is read; rejects
 * with the first error (its path named), after which no more files of the
 * batch are read.
 */
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "errors.h"

#define FIELDS     6
#define STREAM_BUF (1 << 20)

struct read_work {
  struct pool_work pw; /* keeps meta, arena, out and digests */
  char *paths;         /* owned copy */
  size_t paths_len;
  const double *meta;
  size_t count;
  unsigned char *arena;
  size_t arena_len;
  double *out;
  unsigned char *digests;
  int err;
  const char *err_syscall;
  const char *err_path;
};

/* read up to len bytes at off: a short read of a regular file is its end (as reads.ts took it),
 * which saves the read that would return 0 */
static ssize_t read_full(int fd, unsigned char *buf, size_t len, off_t off)
{
  ssize_t n;
  do n = pread(fd, buf, len, off);
  while (n < 0 && errno == EINTR);
  return n;
}

/* the sha256 of the whole file, streamed through buf */
static int hash_stream(int fd, EVP_MD_CTX *ctx, unsigned char *buf, unsigned char *digest)
{
  if (!EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) return EIO;
  for (off_t pos = 0;;) {
    ssize_t n = read_full(fd, buf, STREAM_BUF, pos);
    if (n < 0) return errno;
    if (n == 0) break;
    EVP_DigestUpdate(ctx, buf, (size_t)n);
    pos += n;
  }
  return EVP_DigestFinal_ex(ctx, digest, NULL) ? 0 : EIO;
}

static int read_one(struct read_work *w, size_t i, const char *path, EVP_MD_CTX *ctx, unsigned char **buf)
{
  const double *m = w->meta + i * FIELDS;
  double *o = w->out + i * 2;
  unsigned char *digest = w->digests + i * 32;
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    w->err_syscall = "open";
    return errno;
  }
  struct stat st;
  int e = 0;
  if (fstat(fd, &st) < 0) {
    w->err_syscall = "fstat";
    e = errno;
    goto done;
  }
  /* compared as Node's Stats hold them (numbers), as reads.ts compared them */
  if (!S_ISREG(st.st_mode) || (double)st.st_dev != m[0] || (double)st.st_ino != m[1] || (double)st.st_mode != m[2]) {
    w->err_syscall = "changed";
    e = ESTALE;
    goto done;
  }
  size_t size = (size_t)m[3];
  o[0] = 0;
  if (m[4] != 0) {
    size_t at = (size_t)m[5];
    if (at > w->arena_len || w->arena_len - at < size + 1) {
      w->err_syscall = "readFiles";
      e = EINVAL;
      goto done;
    }
    /* one byte more than the size: a read that fills it means the file grew */
    ssize_t n = read_full(fd, w->arena + at, size + 1, 0);
    if (n < 0) {
      w->err_syscall = "read";
      e = errno;
      goto done;
    }
    if ((size_t)n == size) {
      if (!EVP_Digest(w->arena + at, size, digest, NULL, EVP_sha256(), NULL)) {
        w->err_syscall = "sha256";
        e = EIO;
        goto done;
      }
      o[0] = 1;
    }
  }
  if (o[0] == 0) {
    /* not kept (too large, past the budget, or its size changed): hashed whole */
    if (!*buf && !(*buf = malloc(STREAM_BUF))) {
      w->err_syscall = "readFiles";
      e = ENOMEM;
      goto done;
    }
    e = hash_stream(fd, ctx, *buf, digest);
    if (e) {
      w->err_syscall = "read";
      goto done;
    }
  }
  ssize_t names = flistxattr(fd, NULL, 0);
  /* unreadable attributes are not part of the copy either */
  o[1] = names > 0 ? 1 : 0;
done:
  close(fd);
  return e;
}

static void read_execute(napi_env env, void *data)
{
  (void)env;
  struct read_work *w = data;
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  unsigned char *buf = NULL;
  if (!ctx) {
    w->err = ENOMEM;
    w->err_syscall = "readFiles";
    return;
  }
  const char *p = w->paths, *end = w->paths + w->paths_len;
  for (size_t i = 0; i < w->count; i++) {
    size_t plen = strnlen(p, (size_t)(end - p));
    if (p + plen >= end) {
      w->err = EINVAL;
      w->err_syscall = "readFiles";
      w->err_path = NULL;
      break;
    }
    int e = read_one(w, i, p, ctx, &buf);
    if (e) {
      w->err = e;
      w->err_path = p;
      break;
    }
    p += plen + 1;
  }
  free(buf);
  EVP_MD_CTX_free(ctx);
}

static void free_work(napi_env env, struct read_work *w)
{
  pool_release(env, &w->pw);
  free(w->paths);
  free(w);
}

static void read_complete(napi_env env, napi_status status, void *data)
{
  struct read_work *w = data;
  settle_promise(env, w->pw.deferred, status, w->err, w->err_syscall ? w->err_syscall : "readFiles", w->err_path);
  free_work(env, w);
}

static napi_value fail(napi_env env, struct read_work *w, int e)
{
  if (w) free_work(env, w);
  napi_throw(env, errno_error(env, e, "readFiles", NULL));
  return NULL;
}

static int float64s(napi_env env, napi_value v, double **at, size_t *length)
{
  napi_typedarray_type type;
  void *p;
  if (napi_get_typedarray_info(env, v, &type, length, &p, NULL, NULL) != napi_ok || type != napi_float64_array)
    return -1;
  *at = p;
  return 0;
}

napi_value js_read_files_async(napi_env env, napi_callback_info info)
{
  size_t argc = 5;
  napi_value argv[5];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 5) return fail(env, NULL, EINVAL);
  struct read_work *w = calloc(1, sizeof *w);
  if (!w) return fail(env, NULL, ENOMEM);
  size_t plen;
  if (napi_get_value_string_utf8(env, argv[0], NULL, 0, &plen) != napi_ok) return fail(env, w, EINVAL);
  w->paths = malloc(plen + 1);
  if (!w->paths) return fail(env, w, ENOMEM);
  napi_get_value_string_utf8(env, argv[0], w->paths, plen + 1, &w->paths_len);
  double *meta, *out;
  size_t meta_len, out_len, digests_len;
  void *arena, *digests;
  if (float64s(env, argv[1], &meta, &meta_len) || meta_len % FIELDS ||
      napi_get_buffer_info(env, argv[2], &arena, &w->arena_len) != napi_ok || float64s(env, argv[3], &out, &out_len) ||
      napi_get_buffer_info(env, argv[4], &digests, &digests_len) != napi_ok)
    return fail(env, w, EINVAL);
  w->meta = meta;
  w->count = meta_len / FIELDS;
  if (out_len < w->count * 2 || digests_len < w->count * 32) return fail(env, w, EINVAL);
  w->arena = arena;
  w->out = out;
  w->digests = digests;
  napi_value promise = pool_queue(env, &w->pw, "berth:readFiles", read_execute, read_complete, w, argv + 1, 4);
  if (!promise) return fail(env, w, EIO);
  return promise;
}
