/*
 * A stream's SHA-256, and optionally the file it is written to, updated on a
 * thread of libuv's pool while the caller's thread goes on (a pull's layer:
 * the download's digest; the uncompressed tar blob with its DiffID):
 *   hashWriter(fd)                 a new state; fd -1 only hashes
 *   hashWriteAsync(state, buffers) hash the bytes of an array of Buffers
 *                                  and, with a file, write them all at its
 *                                  offset; one call at a time per state
 *                                  (EBUSY otherwise)
 *   hashDigest(state)              the digest of the bytes so far (32
 *                                  bytes); the state goes on
 * The caller owns the file descriptor (opens and closes it).
 */
#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

#include "errors.h"

struct hash_state {
  EVP_MD_CTX *ctx;
  int fd;
  int busy;
};

struct hash_work {
  struct pool_work pw; /* keeps the state and the array of Buffers */
  struct hash_state *st;
  struct iovec *iov;
  size_t count;
  int err;
  const char *syscall;
};

static void state_free(napi_env env, void *data, void *hint)
{
  (void)env;
  (void)hint;
  struct hash_state *st = data;
  EVP_MD_CTX_free(st->ctx);
  free(st);
}

static struct hash_state *state_of(napi_env env, napi_value v)
{
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok) return NULL;
  return p;
}

napi_value js_hash_writer(napi_env env, napi_callback_info info)
{
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  int32_t fd = -1;
  if (argc >= 1 && napi_get_value_int32(env, argv[0], &fd) != napi_ok) fd = -1;
  struct hash_state *st = calloc(1, sizeof *st);
  if (!st || !(st->ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(st->ctx, EVP_sha256(), NULL)) {
    if (st) EVP_MD_CTX_free(st->ctx);
    free(st);
    napi_throw(env, errno_error(env, ENOMEM, "hashWriter", NULL));
    return NULL;
  }
  st->fd = fd;
  napi_value ext;
  if (napi_create_external(env, st, state_free, NULL, &ext) != napi_ok) {
    state_free(env, st, NULL);
    napi_throw(env, errno_error(env, EIO, "hashWriter", NULL));
    return NULL;
  }
  return ext;
}

static void hash_execute(napi_env env, void *data)
{
  (void)env;
  struct hash_work *w = data;
  for (size_t i = 0; i < w->count; i++)
    if (!EVP_DigestUpdate(w->st->ctx, w->iov[i].iov_base, w->iov[i].iov_len)) {
      w->err = EIO;
      w->syscall = "sha256";
      return;
    }
  struct iovec *v = w->iov;
  size_t left = w->count;
  while (w->st->fd >= 0 && left > 0) {
    if (v->iov_len == 0) {
      v++;
      left--;
      continue;
    }
    ssize_t n = writev(w->st->fd, v, left > IOV_MAX ? IOV_MAX : (int)left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      w->err = n < 0 ? errno : EIO;
      w->syscall = "write";
      return;
    }
    /* past what was written: whole buffers, then into the next */
    size_t done = (size_t)n;
    while (left > 0 && done >= v->iov_len) {
      done -= v->iov_len;
      v++;
      left--;
    }
    if (left > 0) {
      v->iov_base = (char *)v->iov_base + done;
      v->iov_len -= done;
    }
  }
}

static void hash_complete(napi_env env, napi_status status, void *data)
{
  struct hash_work *w = data;
  w->st->busy = 0;
  settle_promise(env, w->pw.deferred, status, w->err, w->syscall ? w->syscall : "hashWrite", NULL);
  pool_release(env, &w->pw);
  free(w->iov);
  free(w);
}

napi_value js_hash_write_async(napi_env env, napi_callback_info info)
{
  size_t argc = 2;
  napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct hash_state *st = argc == 2 ? state_of(env, argv[0]) : NULL;
  if (!st) {
    napi_throw(env, errno_error(env, EINVAL, "hashWrite", NULL));
    return NULL;
  }
  if (st->busy) {
    napi_throw(env, errno_error(env, EBUSY, "hashWrite", NULL));
    return NULL;
  }
  struct hash_work *w = calloc(1, sizeof *w);
  int e = w ? buffers_of(env, argv[1], &w->iov, &w->count) : ENOMEM;
  if (e) {
    free(w);
    napi_throw(env, errno_error(env, e, "hashWrite", NULL));
    return NULL;
  }
  w->st = st;
  napi_value promise = pool_queue(env, &w->pw, "berth:hashWrite", hash_execute, hash_complete, w, argv, 2);
  if (!promise) {
    free(w->iov);
    free(w);
    napi_throw(env, errno_error(env, EIO, "hashWrite", NULL));
    return NULL;
  }
  st->busy = 1;
  return promise;
}

napi_value js_hash_digest(napi_env env, napi_callback_info info)
{
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  struct hash_state *st = argc == 1 ? state_of(env, argv[0]) : NULL;
  if (!st || st->busy) {
    napi_throw(env, errno_error(env, st ? EBUSY : EINVAL, "hashDigest", NULL));
    return NULL;
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_MD_CTX *copy = EVP_MD_CTX_new();
  int ok = copy && EVP_MD_CTX_copy_ex(copy, st->ctx) && EVP_DigestFinal_ex(copy, md, &n);
  EVP_MD_CTX_free(copy);
  if (!ok) {
    napi_throw(env, errno_error(env, EIO, "hashDigest", NULL));
    return NULL;
  }
  napi_value out;
  void *dst;
  napi_create_buffer_copy(env, n, md, &dst, &out);
  return out;
}
