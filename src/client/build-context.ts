/**
 * The build context a remote engine is sent, as the docker CLI's classic
 * builder sends it: a local directory as a tar streamed from the disk (never
 * whole in memory) with `.dockerignore` applied as the embedded build reads
 * the context (common/context-files.ts), the Dockerfile and `.dockerignore`
 * always in it; a Dockerfile outside the context, or `-f -`, added as
 * `.dockerfile.<random>` and named in `.dockerignore` (so COPY never sees
 * it); `-` or an http(s) URL (fetched here, as the docker CLI fetches it):
 * a tar passed on as it comes, or a lone Dockerfile put in a tar; a git
 * repository cloned by the engine (the API's `remote`). Entries are owned by
 * root, as the docker CLI writes them.
 */
import { randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { isGitUrl, loadIgnore, looksLikeTar, prepareError, readDockerfile } from '../common/context-files.js';
import { sortByBytes } from '../common/byte-order.js';
import { fetchTrusting } from '../common/extra-ca.js';
import type { IgnoreMatcher } from '../common/dockerignore.js';
import { newHeader, type TarHeader } from '../engine/tar/header.js';
import { TarWriter } from '../engine/tar/writer.js';
import type { ContextSource } from './api.js';
import { BerthError } from './errors.js';

export interface ContextInputLike {
  source: ContextSource;
  dockerfile?: { path: string } | { content: Buffer };
}

export interface ContextUpload {
  /** The request body (a tar, maybe compressed); null when the engine fetches `remote`. */
  body: Readable | null;
  remote?: string;
  /** The API's `dockerfile`: the Dockerfile's path inside the context ('' for the engine's default). */
  dockerfile: string;
  /** The Dockerfile's text when it is known here (its FROM lines name the registries to send credentials for). */
  dockerfileText: string | null;
}

interface Entry {
  rel: string;
  st: Stats;
}

/**
 * The context's entries in the order they are sent, ignored ones left out
 * (an ignored directory is walked when an exception may bring back
 * something under it, and then sent only through what it holds). `keep`:
 * paths sent even when ignored (the Dockerfile, .dockerignore).
 */
export function contextEntries(dir: string, matcher: IgnoreMatcher | null, keep: Set<string>): Entry[] {
  const out: Entry[] = [];
  const walk = (rel: string) => {
    let names: string[];
    const abs = rel ? join(dir, rel) : dir;
    try {
      names = sortByBytes(readdirSync(abs));
    } catch (e) {
      throw prepareError(`error checking context: can't open '${abs}': ${(e as Error).message}`, e);
    }
    for (const n of names) {
      const r = rel ? `${rel}/${n}` : n;
      // gone since the directory was read: not in the context
      const st = lstatSync(join(dir, r), { throwIfNoEntry: false });
      if (!st) continue;
      const ignored = !!matcher && !keep.has(r) && matcher.ignores(r);
      if (st.isDirectory()) {
        const holdsKept = [...keep].some((k) => k.startsWith(`${r}/`));
        if (ignored && !holdsKept && matcher!.canSkipDir(r)) continue;
        if (!ignored) out.push({ rel: r, st });
        walk(r);
      } else if (!ignored && (st.isFile() || st.isSymbolicLink())) out.push({ rel: r, st });
    }
  };
  walk('');
  return out;
}

function headerOf(e: Entry, dir: string): TarHeader {
  const meta = { mode: e.st.mode & 0o7777, uid: 0, gid: 0, mtime: Math.floor(e.st.mtimeMs / 1000) };
  if (e.st.isDirectory()) return newHeader({ name: e.rel, type: 'dir', ...meta });
  if (e.st.isSymbolicLink())
    return newHeader({ name: e.rel, type: 'symlink', linkname: readlinkSync(join(dir, e.rel)), ...meta });
  return newHeader({ name: e.rel, type: 'file', size: e.st.size, ...meta });
}

/** A tar written by `fill` into a stream that is read as it is written; a failure ends the stream with it. */
function tarStream(fill: (tar: TarWriter) => Promise<void>): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const tar = new TarWriter(out);
  fill(tar)
    .then(() => tar.finish())
    .catch((e: unknown) => out.destroy(e as Error));
  return out;
}

/** A local directory's context. */
function fromDir(
  path: string,
  df: { path: string } | { content: Buffer } | undefined,
): ContextUpload & { body: Readable } {
  const dir = resolve(path);
  let st;
  try {
    st = statSync(dir);
  } catch (e) {
    throw prepareError(`path "${path}" not found`, e);
  }
  if (!st.isDirectory()) throw prepareError(`context must be a directory: ${dir}`);
  // the Dockerfile: in the context (its path there), or its bytes added under a name of their own
  let inside: string | null = null;
  let outside: Buffer | null = null;
  let dockerfilePath: string | null = null;
  let text: Buffer;
  if (df && 'content' in df) text = outside = df.content;
  else {
    dockerfilePath = df ? resolve(dir, df.path) : join(dir, 'Dockerfile');
    text = readDockerfile(dockerfilePath);
    const rel = relative(dir, dockerfilePath);
    if (rel && !rel.startsWith('..') && !rel.startsWith(sep)) inside = rel.split(sep).join('/');
    else outside = text;
  }
  const dockerfileText = text.toString('utf8');
  if (!dockerfileText.length) throw new BerthError('INVALID_ARGUMENT', 'the Dockerfile cannot be empty');
  const { matcher } = loadIgnore(dir, dockerfilePath);
  // the docker CLI sends the Dockerfile and .dockerignore whatever .dockerignore says (the engine reads both)
  const keep = new Set(['.dockerignore', ...(inside ? [inside] : [])]);
  const entries = contextEntries(dir, matcher, keep);
  const extra = outside ? `.dockerfile.${randomBytes(10).toString('hex')}` : null;
  const now = Math.floor(Date.now() / 1000);
  const body = tarStream(async (tar) => {
    let sawIgnore = false;
    for (const e of entries) {
      const h = headerOf(e, dir);
      if (extra && e.rel === '.dockerignore' && h.type === 'file') {
        // the added Dockerfile is ignored for COPY, as the docker CLI writes it
        const text = Buffer.concat([readFileSync(join(dir, e.rel)), Buffer.from(`\n${extra}\n`)]);
        await tar.add({ ...h, size: text.length }, text);
        sawIgnore = true;
      } else await tar.add(h, h.type === 'file' ? { path: join(dir, e.rel) } : undefined);
    }
    if (extra) {
      if (!sawIgnore) {
        const text = Buffer.from(`\n${extra}\n`);
        await tar.add(
          newHeader({ name: '.dockerignore', type: 'file', mode: 0o600, size: text.length, mtime: now }),
          text,
        );
      }
      await tar.add(newHeader({ name: extra, type: 'file', mode: 0o600, size: outside!.length, mtime: now }), outside!);
    }
  });
  return { body, dockerfile: extra ?? inside ?? 'Dockerfile', dockerfileText };
}

/** `-`: a tar (maybe compressed) passed on as it comes, or a Dockerfile alone (put in a tar). */
async function fromStdin(
  stream: AsyncIterable<Buffer>,
  df: { path: string } | { content: Buffer } | undefined,
): Promise<ContextUpload> {
  const it = stream[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size < 512) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    head.push(Buffer.from(r.value));
    size += r.value.length;
  }
  const first = Buffer.concat(head);
  if (looksLikeTar(first.subarray(0, 512))) {
    const rest = async function* () {
      yield first;
      if (ended) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield Buffer.from(r.value);
      }
    };
    const dockerfile = df && 'path' in df ? df.path : '';
    return { body: Readable.from(rest(), { objectMode: false }), dockerfile, dockerfileText: null };
  }
  // a Dockerfile is small: read whole
  const parts = [first];
  if (!ended) for (let r = await it.next(); !r.done; r = await it.next()) parts.push(Buffer.from(r.value));
  const text = Buffer.concat(parts);
  if (!text.length) throw new BerthError('INVALID_ARGUMENT', 'the Dockerfile cannot be empty');
  const now = Math.floor(Date.now() / 1000);
  const body = tarStream((tar) =>
    tar.add(newHeader({ name: 'Dockerfile', type: 'file', mode: 0o600, size: text.length, mtime: now }), text),
  );
  return { body, dockerfile: 'Dockerfile', dockerfileText: text.toString('utf8') };
}

/** The context as the request sends it. */
export async function contextUpload(input: ContextInputLike): Promise<ContextUpload> {
  const src = input.source;
  const df = input.dockerfile;
  if (src.kind === 'dir') return fromDir(src.path, df);
  if (src.kind === 'stdin') return fromStdin(src.stream, df);
  if (/^https?:\/\//.test(src.url) && !isGitUrl(src.url)) return fromStdin(await download(src.url), df);
  // a git repository: the engine clones it (the API's remote), as dockerd does for a remote context
  if (df && 'content' in df)
    throw new BerthError('NOT_SUPPORTED', 'a Dockerfile from stdin with a git context is not supported by this engine');
  return { body: null, remote: src.url, dockerfile: df?.path ?? '', dockerfileText: null };
}

/** An http(s) context fetched here, as the docker CLI fetches it, and streamed on: a tar, or a Dockerfile. */
async function download(url: string): Promise<AsyncIterable<Buffer>> {
  let res: Response;
  try {
    res = await fetch(url, await fetchTrusting({ redirect: 'follow' as const }));
  } catch (e) {
    const why = ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
    throw prepareError(`unable to download remote context ${url}: ${why}`, e);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => undefined);
    throw prepareError(`unable to download remote context ${url}: ${res.status} ${res.statusText}`.trim());
  }
  return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>) as AsyncIterable<Buffer>;
}
