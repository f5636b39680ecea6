/*
 * What the addon's work on libuv's pool shares (errors.h): queuing a piece
 * of work with its promise and the JavaScript values it reads while it runs
 * kept alive, letting them go, and an array of Buffers as iovecs.
 */
#include <errno.h>
#include <stdlib.h>

#include "errors.h"

napi_value pool_queue(napi_env env, struct pool_work *pw, const char *name, napi_async_execute_callback execute,
                      napi_async_complete_callback complete, void *data, const napi_value *keep, size_t n)
{
  napi_value promise, label;
  int ok = n <= POOL_KEEP_MAX;
  for (size_t i = 0; ok && i < n; i++) ok = napi_create_reference(env, keep[i], 1, &pw->keep[i]) == napi_ok;
  ok = ok && napi_create_promise(env, &pw->deferred, &promise) == napi_ok &&
       napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &label) == napi_ok &&
       napi_create_async_work(env, NULL, label, execute, complete, data, &pw->work) == napi_ok &&
       napi_queue_async_work(env, pw->work) == napi_ok;
  if (ok) return promise;
  /* nothing was queued: what was made is let go (a promise made stays pending, unreturned) */
  pool_release(env, pw);
  return NULL;
}

void pool_release(napi_env env, struct pool_work *pw)
{
  for (size_t i = 0; i < POOL_KEEP_MAX; i++)
    if (pw->keep[i]) {
      napi_delete_reference(env, pw->keep[i]);
      pw->keep[i] = NULL;
    }
  if (pw->work) {
    napi_delete_async_work(env, pw->work);
    pw->work = NULL;
  }
}

int buffers_of(napi_env env, napi_value arr, struct iovec **iov, size_t *count)
{
  bool is_array = false;
  uint32_t n = 0;
  *iov = NULL;
  *count = 0;
  if (napi_is_array(env, arr, &is_array) != napi_ok || !is_array || napi_get_array_length(env, arr, &n) != napi_ok)
    return EINVAL;
  struct iovec *v = calloc(n ? n : 1, sizeof *v);
  if (!v) return ENOMEM;
  for (uint32_t i = 0; i < n; i++) {
    napi_value item;
    void *data;
    size_t len;
    if (napi_get_element(env, arr, i, &item) != napi_ok || napi_get_buffer_info(env, item, &data, &len) != napi_ok) {
      free(v);
      return EINVAL;
    }
    v[i].iov_base = data;
    v[i].iov_len = len;
  }
  *iov = v;
  *count = n;
  return 0;
}
