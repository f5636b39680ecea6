/** Build tests: contexts made from a file map, a loopback HTTP server, the CLI's build with plain progress. */
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { berth, type RunResult, type TempRoot } from './env.js';

export type FileSpec = string | Buffer | { data: string | Buffer; mode?: number } | { symlink: string };

/** A context directory from `files` (path -> content, or {symlink}). */
export function makeContext(files: Record<string, FileSpec>, base = tmpdir()): string {
  const dir = mkdtempSync(join(base, 'berth-ctx-'));
  writeContext(dir, files);
  return dir;
}

/**
 * The directories one test file makes: ctx() makes a context (as makeContext), keep() adds another
 * directory to remove, removeAll() removes every one of them.
 */
export function contexts(): {
  ctx: (files: Record<string, FileSpec>) => string;
  keep: (dir: string) => void;
  removeAll: () => void;
} {
  const dirs: string[] = [];
  return {
    ctx: (files) => {
      const d = makeContext(files);
      dirs.push(d);
      return d;
    },
    keep: (dir) => void dirs.push(dir),
    removeAll: () => {
      for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** The last line of a command's output. */
export const lastLine = (s: string) => s.trimEnd().split('\n').pop();

export function writeContext(dir: string, files: Record<string, FileSpec>): void {
  for (const [rel, spec] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(dirname(p), { recursive: true });
    if (typeof spec === 'object' && 'symlink' in spec) {
      symlinkSync(spec.symlink, p);
      continue;
    }
    const data = typeof spec === 'string' || Buffer.isBuffer(spec) ? spec : spec.data;
    writeFileSync(p, data);
    if (typeof spec === 'object' && !Buffer.isBuffer(spec) && spec.mode !== undefined) chmodSync(p, spec.mode);
  }
}

/** `berth build --progress plain --network none ...` */
export function build(
  t: Pick<TempRoot, 'env'>,
  args: string[],
  opts: { input?: string | Buffer; cwd?: string } = {},
): Promise<RunResult> {
  return berth(t, ['build', '--progress', 'plain', '--network', 'none', ...args], opts);
}

/** Progress names of the steps reported CACHED (plain output). */
export function cachedSteps(stderr: string): string[] {
  const names = new Map<string, string>();
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line);
    if (!m) continue;
    if (!names.has(m[1]!)) names.set(m[1]!, m[2]!);
    else if (m[2] === 'CACHED') out.push(names.get(m[1]!)!);
  }
  return out;
}

/** Progress names of the steps that ran (DONE). */
export function ranSteps(stderr: string): string[] {
  const names = new Map<string, string>();
  const out: string[] = [];
  for (const line of stderr.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line);
    if (!m) continue;
    if (!names.has(m[1]!)) names.set(m[1]!, m[2]!);
    else if (/^DONE /.test(m[2]!)) out.push(names.get(m[1]!)!);
  }
  return out.filter((n) => /^\[[^\]]*\d+\/\d+\] (RUN|COPY|ADD|WORKDIR)/.test(n));
}

export interface FileServer {
  url: string;
  requests: string[];
  set(path: string, data: Buffer | string): void;
  close(): Promise<void>;
}

/** A loopback HTTP server of in-memory files (404 otherwise); records request paths. */
export async function fileServer(files: Record<string, Buffer | string> = {}): Promise<FileServer> {
  const map = new Map(Object.entries(files).map(([k, v]) => [k, Buffer.from(v)]));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push(path);
    const data = map.get(path);
    if (!data) return res.writeHead(404).end();
    res.writeHead(200, { 'content-length': data.length });
    res.end(req.method === 'HEAD' ? undefined : data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    set: (p, d) => map.set(p, Buffer.from(d)),
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Serve a directory's files (a bare git repository for git's dumb HTTP protocol). */
export function serveDir(srv: FileServer, dir: string, prefix: string, rel = ''): void {
  for (const n of readdirSync(join(dir, rel))) {
    const r = rel ? `${rel}/${n}` : n;
    if (statSync(join(dir, r)).isDirectory()) serveDir(srv, dir, prefix, r);
    else srv.set(`${prefix}/${r}`, readFileSync(join(dir, r)));
  }
}
