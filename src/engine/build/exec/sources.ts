/**
 * What a step reads, opened for it: views of the context, of an earlier
 * stage's result and of an image's layers; a URL downloaded (with
 * --checksum verified) or a git repository cloned into the step's
 * directory; each with the checksum that goes into the step's cache key.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, createWriteStream, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { BerthError } from '../../errors.js';
import type { Store } from '../../store/store.js';
import type { BuildContext } from '../context.js';
import { IgnoreMatcher } from '../../../common/dockerignore.js';
import { fetchTrusting } from '../../../common/extra-ca.js';
import { openRootfs, type Rootfs } from '../fs/rootfs.js';
import type { ReadMemo } from '../fs/reads.js';
import { checksum, followSource, resolveWildcards, SourceNotFound } from '../fs/sources.js';
import { DirView, resolveIn, type FsView } from '../fs/view.js';
import { BuildCacheDb } from '../cache/cache-db.js';
import type { BaseImage } from '../plan/dispatch.js';
import type { CopySource } from '../plan/types.js';
import type { BuiltLayer } from './image.js';
import { removeTree } from '../../store/scratch.js';

export interface StageResult {
  /** The cache key of the state. */
  key: string;
  chains: string[];
  layers: BuiltLayer[];
}

export interface SourceContext {
  store: Store;
  context: BuildContext;
  images: ReadonlyMap<string, BaseImage>;
  stage(index: number): Promise<StageResult>;
  /** Checksums of context paths already computed in this build. */
  contextSums: Map<string, string>;
  /** What the checksums read (attributes, small files' bytes), for the copies. */
  reads: ReadMemo;
  signal: AbortSignal;
}

/** A source ready to copy: its view and the paths it names there (wildcards resolved). */
export interface OpenSource {
  view: FsView;
  paths: string[];
  /** Copy the owners along (stages and images); the context's files become root's. */
  owners: boolean;
  /** ADD: a downloaded file is never extracted. */
  noUnpack?: boolean;
  /** Entries left out (a git checkout's .git). */
  exclude?: IgnoreMatcher;
  /** Fetch what the key did not need (a URL whose --checksum keyed the step): only when the step runs. */
  fetch?: () => Promise<void>;
}

export class MissingSource extends BerthError {
  constructor(readonly path: string) {
    super('NOT_FOUND', `failed to compute cache key: "${path}" not found: not found`);
  }
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

async function download(url: string, file: string, signal: AbortSignal): Promise<Date | null> {
  let res: Response;
  try {
    res = await fetch(url, await fetchTrusting({ signal }));
  } catch (e) {
    throw new BerthError('IO', `failed to load cache key: Get "${url}": ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok || !res.body)
    throw new BerthError('IO', `failed to load cache key: invalid response status ${res.status}`);
  const { Readable } = await import('node:stream');
  await pipeline(
    Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>),
    createWriteStream(file),
  );
  const lm = res.headers.get('last-modified');
  return lm ? new Date(lm) : null;
}

export class StepSources {
  private readonly open: Rootfs[] = [];
  private made = false;
  constructor(
    private readonly sc: SourceContext,
    private readonly where: string,
  ) {}

  /** The step's directory, made when first needed (a cached step needs none). */
  get dir(): string {
    if (!this.made) mkdirSync(this.where, { recursive: true });
    this.made = true;
    return this.where;
  }

  /** Remove the step's directory, if it was made. */
  dispose(): void {
    this.close();
    if (this.made) removeTree(this.where);
  }

  close(): void {
    for (const r of this.open.splice(0)) r.close();
  }

  rootfs(chains: string[]): FsView {
    const r = openRootfs(this.sc.store, this.dir, chains);
    this.open.push(r);
    return r.view;
  }

  /** A rootfs view mounted only when something reads it (a remembered checksum needs no mount). */
  private lazyRootfs(chains: string[]): FsView {
    let v: FsView | null = null;
    const get = () => (v ??= this.rootfs(chains));
    return {
      lstat: (r) => get().lstat(r),
      readlink: (r) => get().readlink(r),
      readdir: (r) => get().readdir(r),
      hostPath: (r) => get().hostPath(r),
    };
  }

  private async chainsOf(src: { kind: 'stage'; index: number } | { kind: 'image'; ref: string }): Promise<string[]> {
    if (src.kind === 'stage') return (await this.sc.stage(src.index)).chains;
    const img = this.sc.images.get(src.ref);
    if (!img) throw new BerthError('NOT_FOUND', `image ${src.ref} was not resolved`);
    return this.sc.store.images.layersOf(img.id).map((l) => l.chainId);
  }

  async viewOf(
    src: { kind: 'context' } | { kind: 'stage'; index: number } | { kind: 'image'; ref: string },
  ): Promise<{ view: FsView; owners: boolean }> {
    if (src.kind === 'context') return { view: this.sc.context.view, owners: false };
    if (src.kind === 'stage') return { view: this.rootfs((await this.sc.stage(src.index)).chains), owners: true };
    const img = this.sc.images.get(src.ref);
    if (!img) throw new BerthError('NOT_FOUND', `image ${src.ref} was not resolved`);
    return { view: this.rootfs(this.sc.store.images.layersOf(img.id).map((l) => l.chainId)), owners: true };
  }

  /** Checksums of the paths a view source names (a missing one, unless a wildcard, fails). */
  private async sums(
    view: FsView,
    paths: string[],
    owners: boolean,
    exclude: IgnoreMatcher | null,
    memo: boolean,
    chain: string | null = null,
  ): Promise<string[]> {
    const db = chain !== null ? new BuildCacheDb(this.sc.store.db) : null;
    const options = `${owners}\0${exclude ? JSON.stringify(exclude.patterns.map((x) => x.pattern)) : ''}`;
    const out: string[] = [];
    for (const p of paths) {
      // a stage's result or an image never changes: its checksums are remembered by its top layer
      const known = db?.sum(chain!, p, options);
      if (known) {
        out.push(`${p}:${known}`);
        continue;
      }
      let rel: string;
      try {
        rel = followSource(view, p);
      } catch (e) {
        // BuildKit names the path the symbolic links led to
        if (e instanceof SourceNotFound) throw new MissingSource('/' + resolveIn(view, p, true));
        throw e;
      }
      const key = `${rel}\0${exclude ? JSON.stringify(exclude.patterns.map((x) => x.pattern)) : ''}`;
      let s = memo ? this.sc.contextSums.get(key) : undefined;
      if (s === undefined) {
        s = await checksum(view, rel, { owners, exclude, memo: this.sc.reads });
        if (memo) this.sc.contextSums.set(key, s);
      }
      db?.putSum(chain!, p, options, s);
      out.push(`${p}:${s}`);
    }
    return out;
  }

  /** Open one COPY/ADD source; returns it and the checksum inputs for the key. */
  async source(src: CopySource, exclude: string[], n: number): Promise<{ open: OpenSource; inputs: string[] }> {
    const ex = exclude.length ? new IgnoreMatcher(exclude) : null;
    // COPY --exclude leaves out of the copy what it leaves out of the key
    const excluded = ex ? { exclude: ex } : {};
    if (src.kind === 'context') {
      const view = this.sc.context.view;
      const paths = resolveWildcards(view, src.path);
      return {
        open: { view, paths, owners: false, ...excluded },
        inputs: await this.sums(view, paths, false, ex, true),
      };
    }
    if (src.kind === 'stage' || src.kind === 'image') {
      const chains = await this.chainsOf(src);
      const view = this.lazyRootfs(chains);
      const paths = resolveWildcards(view, src.path);
      return {
        open: { view, paths, owners: true, ...excluded },
        inputs: await this.sums(view, paths, true, ex, false, chains.at(-1) ?? ''),
      };
    }
    const dir = join(this.dir, `src-${n}`);
    mkdirSync(dir, { recursive: true });
    if (src.kind === 'inline') {
      writeFileSync(join(dir, src.name), src.data, { mode: 0o644 });
      return {
        open: { view: new DirView(dir), paths: ['/' + src.name], owners: false, noUnpack: true },
        inputs: [sha(src.data)],
      };
    }
    if (src.kind === 'url') {
      const file = join(dir, src.filename);
      const fetch = async () => {
        const modified = await download(src.url, file, this.sc.signal);
        const digest = 'sha256:' + sha(readFileSync(file));
        if (src.checksum && src.checksum !== digest)
          throw new BerthError('DIGEST_MISMATCH', `digest mismatch ${src.checksum}: ${digest}`);
        // BuildKit's HTTP source writes the file 0600
        chmodSync(file, 0o600);
        if (modified) utimesSync(file, modified, modified);
        return digest;
      };
      const open: OpenSource = { view: new DirView(dir), paths: ['/' + src.filename], owners: false, noUnpack: true };
      // with --checksum the key is known without the bytes: they are fetched only when the step runs
      if (src.checksum)
        return { open: { ...open, fetch: async () => void (await fetch()) }, inputs: [src.url, src.checksum] };
      return { open, inputs: [src.url, await fetch()] };
    }
    // git
    const run = promisify(execFile);
    const repo = join(dir, 'repo');
    try {
      await run(
        'git',
        ['clone', '--quiet', '--recurse-submodules', ...(src.ref ? ['--branch', src.ref] : []), '--', src.url, repo],
        {
          env: { ...process.env, GIT_TERMINAL_PROMPT: '0' },
        },
      );
    } catch (e) {
      const err = String((e as { stderr?: string }).stderr ?? (e as Error).message).trim();
      throw new BerthError('IO', `failed to fetch remote ${src.url}: ${err}`, { cause: e });
    }
    const view = new DirView(repo);
    const left = [...(src.keepGitDir ? [] : ['.git']), ...exclude];
    const gitDir = left.length ? new IgnoreMatcher(left) : null;
    return {
      open: { view, paths: ['/'], owners: false, ...(gitDir ? { exclude: gitDir } : {}) },
      inputs: await this.sums(view, ['/'], false, gitDir, false),
    };
  }
}
