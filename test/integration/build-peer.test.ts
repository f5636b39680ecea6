/**
 * The build corpus built by berth and by the peer docker (BuildKit, as
 * docker 20.10 runs it with DOCKER_BUILDKIT=1) from the same context; the
 * images are saved by each engine and compared: the config fields, the
 * history (created_by, empty_layer, comment), and every layer's entries
 * (names, types, modes, owners, sizes, contents, link targets, whiteouts).
 * The differences kept on purpose are listed in test/build-corpus/README.md
 * and normalised here, each by name.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  berth,
  berthBytes,
  describeIf,
  fixture,
  itIf,
  peerSkipReason,
  tempRoot,
  type TempRoot,
} from '../helpers/env.js';
import { configFields, historyOf, readSaved, type Entry, type SavedImage } from '../helpers/build-compare.js';
import { archiveTar, cases, CORPUS, gzip, type Case } from '../build-corpus/cases.js';

const skip = peerSkipReason();
const docker = (args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) =>
  execa(process.env.PEER_DOCKER ?? 'docker', ['-H', process.env.PEER_DOCKER_HOST!, ...args], {
    reject: false,
    env: { DOCKER_BUILDKIT: '1', ...opts.env },
    ...(opts.cwd ? { cwd: opts.cwd } : {}),
    encoding: 'buffer',
  });

const FIXTURE: Record<string, string> = { busybox: 'busybox.docker-save.tar', layers: 'layers.docker-save.tar' };
const TAG = `berth-build-corpus-${process.pid}`;

let t: TempRoot;
let work: string;
let server: Server;
let serverUrl = '';

/**
 * Known differences (README): BuildKit 0.8 leaves the parent directory of
 * the mount points it made for a RUN (/etc for /etc/hosts and
 * /etc/resolv.conf, and those of --mount targets) in the RUN's layer, with
 * nothing under it; berth mounts them from a layer of their own.
 */
function normalizePeer(layers: Entry[][], history: SavedImage['config']['history']): Entry[][] {
  const layerHistory = history.filter((h) => !h.empty_layer);
  return layers.map((list, i) => {
    // docker writes a whiteout it saw as a hard link with the link's name left in (its tar writer's quirk)
    let entries = list.map((e) => (e.name.split('/').pop()!.startsWith('.wh.') ? { ...e, link: '' } : e));
    if (!layerHistory[i]?.created_by?.startsWith('RUN ')) return entries;
    for (let changed = true; changed;) {
      const before = entries.length;
      entries = entries.filter(
        (e) => !(e.type === 'dir' && isStubParent(e.name) && !entries.some((x) => x.name.startsWith(e.name + '/'))),
      );
      changed = entries.length !== before;
    }
    return entries;
  });
}

const STUB_PARENTS = [
  'etc',
  'run',
  'run/secrets',
  'mnt',
  'mnt/other',
  'scratch',
  'var',
  'var/cache',
  'var/cache/corpus',
  'ctx',
];
const isStubParent = (name: string) => STUB_PARENTS.includes(name);

async function saved(engine: 'berth' | 'peer', ref: string): Promise<SavedImage> {
  if (engine === 'berth') {
    const r = await berthBytes(t, ['save', ref]);
    expect(r.exitCode).toBe(0);
    return readSaved(r.stdout);
  }
  const r = await docker(['save', ref]);
  expect(r.exitCode, Buffer.from(r.stderr as Uint8Array).toString()).toBe(0);
  return readSaved(Buffer.from(r.stdout as Uint8Array));
}

async function context(c: Case): Promise<string> {
  const dir = mkdtempSync(join(work, `${c.name}-`));
  cpSync(join(CORPUS, c.name, 'Dockerfile'), join(dir, 'Dockerfile'));
  await c.setup?.(dir, { server: serverUrl });
  return dir;
}

function flags(c: Case, dir: string, extra: Record<string, string> = {}): string[] {
  const out = ['--network', 'none'];
  for (const [k, v] of Object.entries({ ...(c.buildArgs?.({ server: serverUrl }) ?? {}), ...extra }))
    out.push('--build-arg', `${k}=${v}`);
  for (const [id, value] of Object.entries(c.secrets ?? {})) {
    const f = join(dir, `..`, `${c.name}-secret-${id}`);
    writeFileSync(f, value);
    out.push('--secret', `id=${id},src=${f}`);
  }
  if (c.target) out.push('--target', c.target);
  return out;
}

async function buildBoth(c: Case, name: string, dir: string, extra: Record<string, string> = {}) {
  const berthRef = `${TAG}/${name}:berth`;
  const peerRef = `${TAG}/${name}:peer`;
  const b = await berth(t, ['build', '--progress', 'plain', ...flags(c, dir, extra), '-t', berthRef, dir]);
  expect(b.exitCode, b.stderr).toBe(0);
  const p = await docker(['build', '--progress', 'plain', ...flags(c, dir, extra), '-t', peerRef, dir]);
  expect(p.exitCode, Buffer.from(p.stderr as Uint8Array).toString()).toBe(0);
  return { berthRef, peerRef };
}

async function compare(berthRef: string, peerRef: string): Promise<void> {
  const mine = await saved('berth', berthRef);
  const theirs = await saved('peer', peerRef);
  expect(configFields(mine.config.config)).toEqual(configFields(theirs.config.config));
  expect([mine.config.architecture, mine.config.os]).toEqual([theirs.config.architecture, theirs.config.os]);
  expect(historyOf(mine.config)).toEqual(historyOf(theirs.config));
  expect(mine.layers.length).toBe(theirs.layers.length);
  const peerLayers = normalizePeer(theirs.layers, theirs.config.history);
  mine.layers.forEach((entries, i) => expect({ layer: i, entries }).toEqual({ layer: i, entries: peerLayers[i] }));
}

describeIf(skip)('build: berth and the peer docker build the corpus alike', () => {
  beforeAll(async () => {
    t = tempRoot('berth-build-peer-');
    work = mkdtempSync(join(tmpdir(), 'berth-build-corpus-'));
    for (const f of Object.values(FIXTURE)) {
      expect((await berth(t, ['load', '-i', fixture(f)])).exitCode).toBe(0);
      expect((await docker(['load', '-i', fixture(f)])).exitCode).toBe(0);
    }
    const files = join(work, 'served');
    mkdirSync(files);
    writeFileSync(join(files, 'remote.txt'), 'served over http\n');
    writeFileSync(join(files, 'archive.tar.gz'), await gzip(await archiveTar()));
    server = createServer((req, res) => {
      const name = (req.url ?? '/').slice(1);
      try {
        const data = readFileSync(join(files, name));
        res.writeHead(200, { 'content-length': data.length, 'last-modified': new Date(0).toUTCString() });
        res.end(data);
      } catch {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    serverUrl = `http://127.0.0.1:${addr.port}`;
  });

  afterAll(async () => {
    server?.close();
    const imgs = await docker(['images', '-q', '--filter', `reference=${TAG}/*`]);
    const ids = Buffer.from(imgs.stdout as Uint8Array)
      .toString()
      .split('\n')
      .filter(Boolean);
    if (ids.length) await docker(['rmi', '-f', ...new Set(ids)]);
    rmSync(work, { recursive: true, force: true });
    t?.cleanup();
  });

  for (const c of cases) {
    const name = c.target ? `${c.name}-${c.target}` : c.name;
    itIf(skip)(
      `${name}: config, history and layers`,
      async () => {
        const dir = await context(c);
        const { berthRef, peerRef } = await buildBoth(c, name, dir);
        await compare(berthRef, peerRef);
      },
      300_000,
    );
  }

  itIf(skip)(
    'onbuild: triggers of an image built by each engine run in the child build',
    async () => {
      const parent: Case = {
        name: 'onbuild-parent',
        needs: ['busybox'],
        setup: (d) => writeFileSync(join(d, 'parent.txt'), 'p\n'),
      };
      const pdir = await context(parent);
      const p = await buildBoth(parent, 'onbuild-parent', pdir);
      await compare(p.berthRef, p.peerRef);
      const child: Case = {
        name: 'onbuild-child',
        needs: [],
        setup: (d) => writeFileSync(join(d, 'child.txt'), 'c\n'),
      };
      const cdir = await context(child);
      const berthRef = `${TAG}/onbuild-child:berth`;
      const peerRef = `${TAG}/onbuild-child:peer`;
      const b = await berth(t, [
        'build',
        '--network',
        'none',
        '--build-arg',
        `PARENT=${p.berthRef}`,
        '-t',
        berthRef,
        cdir,
      ]);
      expect(b.exitCode, b.stderr).toBe(0);
      const d = await docker(['build', '--network', 'none', '--build-arg', `PARENT=${p.peerRef}`, '-t', peerRef, cdir]);
      expect(d.exitCode, Buffer.from(d.stderr as Uint8Array).toString()).toBe(0);
      await compare(berthRef, peerRef);
    },
    300_000,
  );
});
