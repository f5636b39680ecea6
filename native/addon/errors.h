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

/* The Buffers of a JavaScript array as iovecs (malloc'd; the caller frees *iov and keeps a reference to the array
 * while they are used): 0, EINVAL when it is not an array of Buffers, or ENOMEM (buffers.c). */
int buffers_of(napi_env env, napi_value arr, struct iovec **iov, size_t *count, size_t *total);

/* hashWriter(fd), hashWriteAsync(state, buffer), hashDigest(state): hash-write.c */
napi_value js_hash_writer(napi_env env, napi_callback_info info);
napi_value js_hash_write_async(napi_env env, napi_callback_info info);
napi_value js_hash_digest(napi_env env, napi_callback_info info);

/* inflater(), inflateAsync(state, in, out), and whether they work (built with ISA-L): inflate.c */
napi_value js_inflater(napi_env env, napi_callback_info info);
napi_value js_inflate_async(napi_env env, napi_callback_info info);
napi_value inflate_available(napi_env env);
#endif
