/* The addon's errors: an Error with code, errno, syscall and path, as Node's fs gives (addon.c). */
#ifndef BERTH_ADDON_ERRORS_H
#define BERTH_ADDON_ERRORS_H
#include <node_api.h>
#include <sys/uio.h>

napi_value errno_error(napi_env env, int e, const char *syscall, const char *path);
/* An async work's promise settled: resolved (undefined) when the work ran and err is 0, else rejected with the
 * errno error of err (EIO when the work did not run) naming syscall and path. */
void settle_promise(napi_env env, napi_deferred deferred, napi_status status, int err, const char *syscall,
                    const char *path);

/* writeFilesAsync(paths, data, meta): write-files.c */
napi_value js_write_files_async(napi_env env, napi_callback_info info);

/* readFilesAsync(paths, meta, arena, out, digests): read-files.c */
napi_value js_read_files_async(napi_env env, napi_callback_info info);

/* What every piece of the addon's work on libuv's pool begins with: its work, its promise, and references that keep
 * the JavaScript values it reads alive while it runs (pool-work.c). Zeroed (calloc) before use. */
#define POOL_KEEP_MAX 4
struct pool_work {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref keep[POOL_KEEP_MAX];
};
/* Keep the n values of `keep` alive, make the promise and queue the work (`data`, whose pool_work is pw): the
 * promise, or NULL with nothing kept or queued. */
napi_value pool_queue(napi_env env, struct pool_work *pw, const char *name, napi_async_execute_callback execute,
                      napi_async_complete_callback complete, void *data, const napi_value *keep, size_t n);
/* The values kept and the work let go (a complete callback's last step before freeing; safe on a zeroed pw). */
void pool_release(napi_env env, struct pool_work *pw);
/* The Buffers of a JavaScript array as iovecs (malloc'd; the caller frees *iov and keeps the array alive while they
 * are used): 0, EINVAL when it is not an array of Buffers, or ENOMEM. */
int buffers_of(napi_env env, napi_value arr, struct iovec **iov, size_t *count);

/* hashWriter(fd), hashWriteAsync(state, buffers), hashDigest(state): hash-write.c */
napi_value js_hash_writer(napi_env env, napi_callback_info info);
napi_value js_hash_write_async(napi_env env, napi_callback_info info);
napi_value js_hash_digest(napi_env env, napi_callback_info info);

/* inflater(), inflateAsync(state, inputs, out), and whether they work (built with ISA-L): inflate.c */
napi_value js_inflater(napi_env env, napi_callback_info info);
napi_value js_inflate_async(napi_env env, napi_callback_info info);
napi_value inflate_available(napi_env env);
#endif
