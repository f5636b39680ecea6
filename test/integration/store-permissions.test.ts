/**
 * The store is private to root: a local user (nobody, through setpriv) cannot
 * walk into layer trees, run a setuid binary an image put there (the
 * CVE-2021-41091 class), or read the database with containers' environments.
 * Containers with a non-root USER still see their files and volumes (overlayfs
 * and bind mounts reach the store with the mounter's credentials). A store an
 * older berth made is narrowed when opened; scratch mounts are nosuid,nodev.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { imageArchive, tarBuffer } from '../helpers/archives.js';
import { until } from '../helpers/engine.js';
import { CLI, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { Engine } from '../../src/engine/engine.js';

const reason = skipReason();

/**
 * Run a command as nobody (uid and gid 65534, no supplementary groups). Through
 * a shell: setpriv itself execs with root's capabilities still in effect, so
 * the path of a command it runs directly is looked up as root.
 */
function asNobody(cmd: string[]): { code: number; out: string } {
  const args = ['--reuid=65534', '--regid=65534', '--clear-groups', '--', '/bin/sh', '-c', 'exec "$@"', 'sh', ...cmd];
  const r = spawnSync('setpriv', args, {
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

const mode = (p: string) => statSync(p).mode & 0o7777;

describeIf(reason)("the store is private to root; containers' users still reach their files", () => {
  let t: TempRoot;
  let diff = '';
  beforeAll(async () => {
    t = tempRoot('berth-perm-');
    // the temp base stands for /var/lib (0755): the store's own modes are what keeps others out
    chmodSync(t.base, 0o755);
    const id = readFileSync('/usr/bin/id');
    const layer = await tarBuffer([
      { h: { name: 'bin/', type: 'dir', mode: 0o755 } },
      { h: { name: 'bin/suid-id', type: 'file', mode: 0o4755, uid: 0, gid: 0 }, data: id },
      { h: { name: 'secret.txt', type: 'file', mode: 0o644 }, data: 'image secret\n' },
    ]);
    const file = join(t.base, 'suid.tar');
    writeFileSync(file, await imageArchive([layer], { tag: 'evil/suid:1' }));
    expect((await berth(t, ['load', '-q', '-i', file])).exitCode).toBe(0);
    expect((await berth(t, ['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    const chain = readdirSync(join(t.root, 'layers')).find((c) => {
      try {
        return statSync(join(t.root, 'layers', c, 'diff', 'bin', 'suid-id')).isFile();
      } catch {
        return false;
      }
    });
    diff = join(t.root, 'layers', chain!, 'diff');
    // the payload works when reached: root runs it (so a refusal below is the store's doing)
    expect(mode(join(diff, 'bin', 'suid-id'))).toBe(0o4755);
  });
  afterAll(() => t.cleanup());

  it('nobody cannot reach a layer tree, nor run the setuid binary an image put there', () => {
    const run = asNobody([join(diff, 'bin', 'suid-id')]);
    expect(run.out).not.toMatch(/euid=0/);
    expect(run.code).not.toBe(0);
    expect(asNobody(['cat', join(diff, 'secret.txt')]).code).not.toBe(0);
    expect(asNobody(['ls', join(t.root, 'layers')]).code).not.toBe(0);
    expect(asNobody(['ls', join(t.root, 'l')]).code).not.toBe(0);
    // the same binary copied where nobody can reach it is setuid root: the probe itself is sound
    const probe = join(t.base, 'probe-id');
    copyFileSync(join(diff, 'bin', 'suid-id'), probe);
    chmodSync(probe, 0o4755);
    expect(asNobody([probe]).out).toMatch(/euid=0/);
  });

  it('nobody cannot read the database; it and its WAL are 0600', async () => {
    const e = Engine.open({ root: t.root, runroot: t.runroot });
    try {
      e.listImages(); // the WAL and shared-memory files exist while a connection is open
      for (const f of ['berth.db', 'berth.db-wal', 'berth.db-shm']) expect(mode(join(t.root, f)), f).toBe(0o600);
      const read = asNobody(['cat', join(t.root, 'berth.db')]);
      expect(read.code).not.toBe(0);
      expect(read.out).toMatch(/Permission denied/);
    } finally {
      e.close();
    }
  });

  it('the store directories are 0700; a volume is reached through its mount only', async () => {
    await berth(t, ['volume', 'create', 'shared']);
    for (const d of ['', 'layers', 'l', 'volumes', 'tmp', 'blobs', 'blobs/sha256', 'containers', 'plans'])
      expect(mode(join(t.root, d)), d || 'root').toBe(0o700);
    expect(mode(join(t.root, 'volumes', 'shared'))).toBe(0o700);
    expect(asNobody(['ls', join(t.root, 'volumes', 'shared', '_data')]).code).not.toBe(0);
  });

  it('containers running as nobody still read their image and their volumes', async () => {
    await berth(t, ['run', '--rm', '-v', 'shared:/data', 'bb', 'sh', '-c', 'echo through-the-mount > /data/f']);
    const r = await berth(t, [
      'run',
      '--rm',
      '-u',
      '65534:65534',
      '-v',
      'shared:/data',
      'bb',
      'sh',
      '-c',
      'id -u; cat /data/f; cat /etc/passwd | head -c 5; echo; ls /bin/busybox',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('65534\nthrough-the-mount\nroot:\n/bin/busybox\n');
  });

  it('a store made by an older berth (0711 and 0755 directories, a 0644 database) is narrowed when opened', async () => {
    for (const d of ['', 'layers', 'volumes', 'tmp', 'containers', 'blobs']) chmodSync(join(t.root, d), 0o711);
    chmodSync(join(t.root, 'l'), 0o755);
    chmodSync(join(t.root, 'berth.db'), 0o644);
    expect(asNobody([join(diff, 'bin', 'suid-id')]).out).toMatch(/euid=0/); // the old hole, reopened here
    expect((await berth(t, ['images', '-q'])).exitCode).toBe(0);
    for (const d of ['', 'layers', 'l', 'volumes', 'tmp', 'containers', 'blobs'])
      expect(mode(join(t.root, d)), d || 'root').toBe(0o700);
    expect(mode(join(t.root, 'berth.db'))).toBe(0o600);
    expect(asNobody([join(diff, 'bin', 'suid-id')]).out).not.toMatch(/euid=0/);
  });

  it("the scratch mount of a stopped container's files is nosuid,nodev", async () => {
    const id = (await berth(t, ['create', 'bb', 'true'])).stdout.trim();
    // export to a pipe nobody reads yet: the helper blocks with the overlay mounted
    const child = spawn('node', [CLI, 'export', id], {
      env: { ...process.env, ...t.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pause();
    const mounted = () =>
      readFileSync('/proc/self/mountinfo', 'utf8')
        .split('\n')
        .find((l) => l.split(' ')[4]?.startsWith(join(t.root, 'tmp') + '/'));
    try {
      await until(() => !!mounted(), 20_000);
      const opts = mounted()!.split(' ')[5]!.split(',');
      expect(opts).toContain('nosuid');
      expect(opts).toContain('nodev');
    } finally {
      child.stdout.resume();
      await new Promise((r) => child.on('close', r));
      await berth(t, ['rm', id]);
    }
  });
});
