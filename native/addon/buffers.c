/* An array of Buffers as an iovec array, for the addon's work on libuv's pool (errors.h). */
#include <errno.h>
#include <stdlib.h>

#include "errors.h"

int buffers_of(napi_env env, napi_value arr, struct iovec **iov, size_t *count, size_t *total)
{
  bool is_array = false;
  uint32_t n = 0;
  *iov = NULL;
  *count = *total = 0;
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
    *total += len;
  }
  *iov = v;
  *count = n;
  return 0;
}
