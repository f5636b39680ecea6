/*
 * gzip streams inflated by ISA-L (Intel's igzip, Debian's libisal-dev) on a
 * thread of libuv's pool: on this machine class it inflates a layer in less
 * than half the CPU time of zlib, the largest part of a pull's work.
 *   inflateAvailable                 whether the addon was built with ISA-L
 *                                    (binding.gyp: when its header was there)
 *   inflater()                       a new stream's state
 *   inflateAsync(state, ins, out)    inflate from the array of Buffers `ins`,
 *                                    in order, into `out`; resolves [bytes
 *                                    of ins used, bytes of out made,
 *                                    state]: 1 the stream ended, 2 a member
 *                                    ended (the end, unless another comes),
 *                                    0 more is expected; one call at a time
 *                                    per state (EBUSY)
 * Concatenated gzip members are one stream, as zlib's gunzip reads them: a
 * byte 0x1f after a member begins another; anything else ends the stream
 * and is not read, as there. A corrupt stream rejects with code EINVAL and
 * syscall "inflate", its message saying what ISA-L found.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "errors.h"

#ifdef BERTH_ISAL
#include <isa-l/igzip_lib.h>

struct inflater {
  struct inflate_state st;
  int busy;
  int ended; /* a member ended: more input is another member, or the end */
  int done;  /* the stream ended */
};

struct inflate_work {
  struct pool_work pw; /* keeps the state, the array of inputs and the output */
  struct inflater *z;
  struct iovec *iov;
  size_t count;
  uint8_t *out;
  size_t out_len;
  size_t used, made;
  int err;
};

static void inflater_free(napi_env env, void *data, void *hint)
{
  (void)env;
  (void)hint;
  free(data);
}

static void start_member(struct inflater *z)
{
  isal_inflate_reset(&z->st);
  z->st.crc_flag = ISAL_GZIP;
  z->ended = 0;
}

/* Inflate what st holds as input into what it holds as output, across members, until one runs out, the stream
 * ends or it fails (w->err). */
static void inflate_some(struct inflate_work *w, struct inflater *z, struct inflate_state *st)
{
  while (!z->done && st->avail_out > 0) {
    if (z->ended) {
      if (st->avail_in == 0) break; /* another member, or the end: the next input tells */
      if (st->next_in[0] != 0x1f) {
        z->done = 1; /* what follows the last member is not read */
        st->avail_in = 0;
        break;
      }
      start_member(z);
    }
    uint32_t before_in = st->avail_in, before_out = st->avail_out;
    int r = isal_inflate(st);
    if (r < 0) {
      w->err = r;
      break;
    }
    if (st->block_state == ISAL_BLOCK_FINISH) {
      z->ended = 1;
      continue;
    }
    if (st->avail_in == before_in && st->avail_out == before_out) break; /* needs more input */
  }
}

static void inflate_execute(napi_env env, void *data)
{
  (void)env;
  struct inflate_work *w = data;
  struct inflater *z = w->z;
  struct inflate_state *st = &z->st;
  st->next_out = w->out;
  st->avail_out = (uint32_t)w->out_len;
  st->next_in = NULL;
  st->avail_in = 0;
  if (w->count == 0) inflate_some(w, z, st); /* no more input: what is held inside is let out */
  for (size_t i = 0; i < w->count; i++) {
    st->next_in = w->iov[i].iov_base;
    st->avail_in = (uint32_t)w->iov[i].iov_len;
    inflate_some(w, z, st);
    w->used += w->iov[i].iov_len - st->avail_in;
    if (st->avail_in > 0 || w->err || z->done || st->avail_out == 0) break;
  }
  w->made = w->out_len - st->avail_out;
}

static const char *isal_message(int r)
{
  switch (r) {
    case ISAL_INVALID_BLOCK: return "invalid deflate block";
    case ISAL_INVALID_SYMBOL: return "invalid deflate symbol";
    case ISAL_INVALID_LOOKBACK: return "invalid distance too far back";
    case ISAL_INVALID_WRAPPER: return "incorrect header check";
    case ISAL_UNSUPPORTED_METHOD: return "unknown compression method";
    case ISAL_INCORRECT_CHECKSUM: return "incorrect data check";
    default: return "invalid gzip data";
  }
}

static void inflate_complete(napi_env env, napi_status status, void *data)
{
  struct inflate_work *w = data;
  w->z->busy = 0;
  if (status != napi_ok) {
    napi_reject_deferred(env, w->pw.deferred, errno_error(env, EIO, "inflate", NULL));
  } else if (w->err) {
    napi_value e = errno_error(env, EINVAL, "inflate", NULL), msg;
    napi_create_string_utf8(env, isal_message(w->err), NAPI_AUTO_LENGTH, &msg);
    napi_set_named_property(env, e, "message", msg);
    napi_reject_deferred(env, w->pw.deferred, e);
  } else {
    napi_value arr, v;
    napi_create_array_with_length(env, 3, &arr);
    napi_create_double(env, (double)w->used, &v);
    napi_set_element(env, arr, 0, v);
    napi_create_double(env, (double)w->made, &v);
    napi_set_element(env, arr, 1, v);
    napi_create_uint32(env, w->z->done ? 1 : w->z->ended ? 2 : 0, &v);
    napi_set_element(env, arr, 2, v);
    napi_resolve_deferred(env, w->pw.deferred, arr);
  }
  pool_release(env, &w->pw);
  free(w->iov);
  free(w);
}

napi_value js_inflater(napi_env env, napi_callback_info info)
{
  (void)info;
  struct inflater *z = calloc(1, sizeof *z);
  if (!z) {
    napi_throw(env, errno_error(env, ENOMEM, "inflater", NULL));
    return NULL;
  }
  isal_inflate_init(&z->st);
  start_member(z);
  napi_value ext;
  if (napi_create_external(env, z, inflater_free, NULL, &ext) != napi_ok) {
    free(z);
    napi_throw(env, errno_error(env, EIO, "inflater", NULL));
    return NULL;
  }
  return ext;
}

napi_value js_inflate_async(napi_env env, napi_callback_info info)
{
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  void *zp = NULL, *out = NULL;
  size_t out_len = 0;
  if (argc < 3 || napi_get_value_external(env, argv[0], &zp) != napi_ok ||
      napi_get_buffer_info(env, argv[2], &out, &out_len) != napi_ok || out_len > UINT32_MAX) {
    napi_throw(env, errno_error(env, EINVAL, "inflate", NULL));
    return NULL;
  }
  struct inflater *z = zp;
  if (z->busy) {
    napi_throw(env, errno_error(env, EBUSY, "inflate", NULL));
    return NULL;
  }
  struct inflate_work *w = calloc(1, sizeof *w);
  int e = w ? buffers_of(env, argv[1], &w->iov, &w->count) : ENOMEM;
  for (size_t i = 0; !e && i < w->count; i++)
    if (w->iov[i].iov_len > UINT32_MAX) e = EINVAL;
  if (e) {
    if (w) free(w->iov);
    free(w);
    napi_throw(env, errno_error(env, e, "inflate", NULL));
    return NULL;
  }
  w->z = z;
  w->out = out;
  w->out_len = out_len;
  napi_value promise = pool_queue(env, &w->pw, "berth:inflate", inflate_execute, inflate_complete, w, argv, 3);
  if (!promise) {
    free(w->iov);
    free(w);
    napi_throw(env, errno_error(env, EIO, "inflate", NULL));
    return NULL;
  }
  z->busy = 1;
  return promise;
}

#else /* built without ISA-L: zlib's gunzip is used (archive/compression.ts) */

napi_value js_inflater(napi_env env, napi_callback_info info)
{
  (void)info;
  napi_throw(env, errno_error(env, ENOSYS, "inflater", NULL));
  return NULL;
}

napi_value js_inflate_async(napi_env env, napi_callback_info info)
{
  (void)info;
  napi_throw(env, errno_error(env, ENOSYS, "inflate", NULL));
  return NULL;
}
#endif

napi_value inflate_available(napi_env env)
{
  napi_value v;
#ifdef BERTH_ISAL
  napi_get_boolean(env, true, &v);
#else
  napi_get_boolean(env, false, &v);
#endif
  return v;
}
