/**
 * Save, load and export from the dialogs: progress (bytes, layers, rate)
 * into the open dialog, Esc cancelling through an AbortSignal, and files
 * written under a temporary name beside the destination and renamed only
 * when complete, so a failure or a cancel leaves no partial file.
 */
import { createReadStream, createWriteStream, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { PassThrough, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { LoadReport, TransferProgress } from '../../client/api.js';
import type { Services } from '../hooks/context.js';
import { isGzipPath } from '../state/forms.js';
import type { Busy } from '../state/types.js';

const running = new WeakMap<Services, AbortController>();

/** Esc in a busy dialog: ask the running transfer to stop. False when nothing can be cancelled. */
export function cancelTransfer(svc: Services): boolean {
  const ac = running.get(svc);
  if (!ac || ac.signal.aborted) return false;
  ac.abort();
  return true;
}

/**
 * Work Esc can stop (a save, a load, a pull, a push, a search): its signal fires on cancelTransfer. Call
 * end() when it is over.
 */
export function cancellable(svc: Services): { signal: AbortSignal; end(): void } {
  const ac = new AbortController();
  running.set(svc, ac);
  return { signal: ac.signal, end: () => running.get(svc) === ac && running.delete(svc) };
}

/** Progress into the dialog at most ten times a second. */
function reporter(svc: Services) {
  let last = 0;
  return (p: Partial<Busy>, force = false) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    svc.store.dispatch({ type: 'formProgress', progress: p });
  };
}

function begin(svc: Services, label: string, total?: number): AbortController {
  const ac = new AbortController();
  running.set(svc, ac);
  svc.store.dispatch({
    type: 'formBusy',
    busy: { label, started: Date.now(), bytes: 0, layers: 0, current: '', ...(total ? { total } : {}) },
  });
  return ac;
}

/** Where a new file goes: the directory must exist and the file must not (nothing is overwritten). Throws "path: ..." for the dialog. */
export function destination(svc: Services, path: string): string {
  const abs = resolve(svc.cwd, path.trim().replace(/^~(?=\/|$)/, process.env.HOME ?? '~'));
  let dir;
  try {
    dir = statSync(dirname(abs));
  } catch {
    throw new Error(`path: ${dirname(abs)}: no such directory`);
  }
  if (!dir.isDirectory()) throw new Error(`path: ${dirname(abs)} is not a directory`);
  let exists = false;
  try {
    statSync(abs);
    exists = true;
  } catch {
    // fine: a new file
  }
  if (exists) throw new Error(`path: ${abs} already exists (choose another name)`);
  return abs;
}

/** Write through `produce` into `abs`, atomically; gzip when the name says so. Returns the bytes written. */
async function writeFileAtomically(
  abs: string,
  produce: (out: Writable) => Promise<void>,
  onBytes: (n: number) => void,
): Promise<number> {
  const tmp = join(dirname(abs), `.${basename(abs)}.berth-${process.pid}.partial`);
  // opened synchronously so that removing it on failure cannot race its creation
  const file = createWriteStream('', { fd: openSync(tmp, 'wx', 0o644) });
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      onBytes(bytes);
      cb(null, chunk);
    },
  });
  const head: Writable = isGzipPath(abs) ? createGzip() : new PassThrough();
  try {
    await Promise.all([produce(head), pipeline(head as unknown as NodeJS.ReadableStream, count, file)]);
    renameSync(tmp, abs);
    return bytes;
  } catch (e) {
    head.destroy();
    file.destroy();
    rmSync(tmp, { force: true });
    throw e;
  }
}

export async function saveTo(svc: Services, refs: string[], path: string): Promise<{ path: string; bytes: number }> {
  const abs = destination(svc, path);
  const ac = begin(svc, `Saving ${refs.length === 1 ? refs[0] : `${refs.length} images`}`);
  const report = reporter(svc);
  try {
    const bytes = await writeFileAtomically(
      abs,
      (out) =>
        svc.backend.saveImages(refs, out, {
          signal: ac.signal,
          onProgress: (p: TransferProgress) =>
            report({ bytes: p.bytes, layers: p.layers, current: p.current, ...(p.total ? { total: p.total } : {}) }),
        }),
      () => undefined,
    );
    return { path: abs, bytes };
  } finally {
    running.delete(svc);
  }
}

export async function exportTo(svc: Services, ref: string, path: string): Promise<{ path: string; bytes: number }> {
  const abs = destination(svc, path);
  begin(svc, 'Exporting');
  const report = reporter(svc);
  try {
    const bytes = await writeFileAtomically(
      abs,
      (out) => svc.backend.exportContainer(ref, out),
      (n) => report({ bytes: n }),
    );
    return { path: abs, bytes };
  } finally {
    running.delete(svc);
  }
}

export async function loadFrom(svc: Services, path: string): Promise<LoadReport> {
  const abs = resolve(svc.cwd, path.trim().replace(/^~(?=\/|$)/, process.env.HOME ?? '~'));
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new Error(`path: ${abs}: no such file`);
  }
  if (!st.isFile()) throw new Error(`path: ${abs} is not a file`);
  const ac = begin(svc, `Loading ${basename(abs)}`, st.size);
  const report = reporter(svc);
  const file = createReadStream(abs);
  let layers = 0;
  let current = '';
  // counted by a transform the engine reads from: a 'data' listener on the file
  // would let bytes flow (and be lost) before the engine starts reading
  const input = file.pipe(
    new Transform({
      transform(chunk: Buffer, _enc, cb) {
        report({ bytes: file.bytesRead, layers, current });
        cb(null, chunk);
      },
    }),
  );
  file.once('error', (e) => input.destroy(e));
  try {
    return await svc.backend.loadImages(input, {
      signal: ac.signal,
      onProgress: (p) => {
        layers = p.layers;
        current = p.current;
        report({ bytes: file.bytesRead, layers, current });
      },
    });
  } finally {
    file.destroy();
    input.destroy();
    running.delete(svc);
  }
}
