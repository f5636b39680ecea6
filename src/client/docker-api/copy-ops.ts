/**
 * cp over the Docker Engine API, as the docker CLI does it: HEAD
 * /containers/{id}/archive for a path's stat (the X-Docker-Container-Path-Stat
 * header), GET for a tar of it, PUT to extract a tar into a directory. The
 * backend's contract names the tar's top entry (the CLI's naming rules):
 * what comes from the engine is renamed on the way through, and what goes
 * to it is renamed to the destination's base name when the destination is
 * not a directory. And the shell an exec opens, read from the container's
 * own /etc/passwd through the same endpoint.
 */
import { posix } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { openableShell } from '../../engine/container/shell.js';
import { readTar } from '../../engine/tar/reader.js';
import { TarWriter } from '../../engine/tar/writer.js';
import { BerthError, isBerthError } from '../errors.js';
import type { PathStat } from '../types/containers.js';
import type { Connection } from './connection.js';

const enc = encodeURIComponent;
/** Go's os.FileMode type bits, and the unix file type each stands for. */
const GO_TYPES: [number, number][] = [
  [2 ** 31, 0o040000], // directory
  [2 ** 27, 0o120000], // symlink
  [2 ** 25, 0o010000], // named pipe
  [2 ** 24, 0o140000], // socket
];

/** Go's os.FileMode (the path-stat header's) as a unix st_mode. Pure. */
export function unixMode(go: number): number {
  let m = go & 0o777;
  if (go & (2 ** 23)) m |= 0o4000;
  if (go & (2 ** 22)) m |= 0o2000;
  if (go & (2 ** 20)) m |= 0o1000;
  if (go & (2 ** 26)) return m | (go & (2 ** 21) ? 0o020000 : 0o060000);
  for (const [bit, type] of GO_TYPES) if (go & bit) return m | type;
  return m | 0o100000;
}

/** The X-Docker-Container-Path-Stat header (base64 JSON) as a PathStat; owners are not in it. Pure. */
export function parsePathStat(header: string): PathStat {
  const d = JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as {
    name?: string;
    size?: number;
    mode?: number;
    mtime?: string;
    linkTarget?: string;
  };
  const mode = unixMode(d.mode ?? 0);
  return {
    name: d.name ?? '',
    size: d.size ?? 0,
    mode,
    mtime: d.mtime ?? '',
    linkTarget: d.linkTarget ?? '',
    isDir: (mode & 0o170000) === 0o040000,
    uid: 0,
    gid: 0,
  };
}

async function containerId(conn: Connection, ref: string): Promise<string> {
  return ((await conn.json('GET', `/containers/${enc(ref)}/json`)) as { Id: string }).Id;
}

async function headStat(conn: Connection, id: string, ref: string, path: string): Promise<PathStat> {
  let r;
  try {
    r = await conn.request('HEAD', `/containers/${id}/archive`, { query: { path } });
  } catch (e) {
    // a HEAD answer has no body to say why: a missing path is the one 404 left once the container is known
    if (isBerthError(e, 'NOT_FOUND'))
      throw new BerthError('NOT_FOUND', `Could not find the file ${path} in container ${ref}`);
    throw e;
  }
  await r.body.dump();
  const h = r.headers['x-docker-container-path-stat'];
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) throw new BerthError('RUNTIME', `the engine gave no stat of ${path}`);
  return parsePathStat(v);
}

/** A path's stat; `follow` resolves a symbolic link (at most 40 of them, as the kernel). */
async function resolved(
  conn: Connection,
  ref: string,
  path: string,
  follow: boolean,
): Promise<{ id: string; path: string; st: PathStat }> {
  const id = await containerId(conn, ref);
  let st = await headStat(conn, id, ref, path);
  for (let hops = 0; follow && st.linkTarget && (st.mode & 0o170000) === 0o120000; hops++) {
    if (hops === 40) throw new BerthError('INVALID_ARGUMENT', `too many levels of symbolic links: ${path}`);
    path = posix.resolve(posix.dirname(path), st.linkTarget);
    st = await headStat(conn, id, ref, path);
  }
  return { id, path, st };
}

export async function statPath(conn: Connection, ref: string, path: string, follow = false): Promise<PathStat> {
  return (await resolved(conn, ref, path, follow)).st;
}

/** Rename a tar's top entry `from` to `to` ("" drops it: its contents go up one level) as it streams through. */
async function renameTop(input: AsyncIterable<Buffer>, out: Writable, from: string, to: string): Promise<void> {
  const tar = new TarWriter(out);
  const strip = (name: string): string | null => {
    const n = name.replace(/^\.\//, '').replace(/\/$/, '');
    if (n === from || n === '.') return to;
    if (n.startsWith(`${from}/`)) return to ? `${to}${n.slice(from.length)}` : n.slice(from.length + 1);
    return n;
  };
  for await (const e of readTar(input, { allowEmpty: true })) {
    const name = strip(e.header.name);
    const h = { ...e.header, name: name ?? '' };
    if (h.type === 'link') h.linkname = strip(h.linkname) ?? h.linkname;
    if (!h.name) {
      for await (const _ of e.body) void _; // the top directory itself, when its contents are asked for
      continue;
    }
    if (h.type === 'dir' && !h.name.endsWith('/')) h.name += '/';
    await tar.add(h, e.body);
  }
  await tar.finish();
}

/** `cp CONTAINER:SRC`: a tar whose top entry is `name` ("" for the contents of a directory). */
export async function copyFrom(
  conn: Connection,
  ref: string,
  src: string,
  name: string,
  out: Writable,
  follow = false,
): Promise<void> {
  const r = await resolved(conn, ref, src, follow);
  const chunks = conn.chunks('GET', `/containers/${r.id}/archive`, { query: { path: r.path } });
  // the engine names the top entry after the path it was given (docker: "." for "DIR/.")
  const base = /\/\.$/.test(r.path) ? '.' : posix.basename(r.path) || r.st.name;
  await renameTop(chunks, out, base, name);
}

/**
 * `cp ... CONTAINER:DEST`: a tar whose top entry is `top` ("" for contents) extracted with
 * docker's naming rules: into DEST when it is a directory, else as DEST in its parent.
 */
export async function copyTo(
  conn: Connection,
  ref: string,
  dest: string,
  input: Readable,
  top: string,
  keepOwners = false,
): Promise<void> {
  const id = await containerId(conn, ref);
  let st: PathStat | null = null;
  try {
    st = await headStat(conn, id, ref, dest);
  } catch (e) {
    if (!isBerthError(e, 'NOT_FOUND')) throw e;
  }
  const put = (path: string, body: Readable) =>
    conn.call('PUT', `/containers/${id}/archive`, {
      query: { path, noOverwriteDirNonDir: true, copyUIDGID: keepOwners || undefined },
      body,
      stream: true,
    });
  if (st?.isDir) return void (await put(dest, input));
  if (!top) {
    throw new BerthError(
      st ? 'INVALID_ARGUMENT' : 'NOT_FOUND',
      st ? `destination ${dest} is not a directory` : `destination directory ${dest} does not exist`,
    );
  }
  const parent = posix.dirname(posix.resolve('/', dest));
  const pst = await headStat(conn, id, ref, parent).catch((e: unknown) => {
    if (isBerthError(e, 'NOT_FOUND'))
      throw new BerthError('NOT_FOUND', `destination directory ${parent} does not exist`);
    throw e;
  });
  if (!pst.isDir) throw new BerthError('NOT_FOUND', `destination directory ${parent} does not exist`);
  const renamed = new PassThrough();
  const renaming = renameTop(input, renamed, top, posix.basename(dest.replace(/\/+$/, '')));
  renaming.catch((e: unknown) => renamed.destroy(e as Error));
  await Promise.all([put(parent, renamed), renaming]);
}

/** The login shell of the container's user in its /etc/passwd, when the container has it; else /bin/sh. */
export async function loginShell(conn: Connection, ref: string): Promise<string> {
  const info = (await conn.json('GET', `/containers/${enc(ref)}/json`)) as { Id: string; Config: { User?: string } };
  let passwd: string | null = null;
  try {
    for await (const e of readTar(
      conn.chunks('GET', `/containers/${info.Id}/archive`, { query: { path: '/etc/passwd' } }),
    )) {
      if (e.header.type === 'file') {
        passwd = (await e.buffer()).subarray(0, 1 << 20).toString('utf8');
        break;
      }
      for await (const _ of e.body) void _;
    }
  } catch (e) {
    if (!isBerthError(e, 'NOT_FOUND')) throw e;
  }
  const shell = openableShell(passwd, info.Config.User ?? '');
  if (!shell) return '/bin/sh';
  try {
    await headStat(conn, info.Id, ref, shell);
    return shell;
  } catch (e) {
    if (isBerthError(e, 'NOT_FOUND')) return '/bin/sh';
    throw e;
  }
}
