/**
 * What a container must not be able to do to the host through berth's file
 * operations: steer a volume copy-up onto a host directory by swapping a
 * directory of a shared volume for a symbolic link mid-copy; have `cp` wipe a
 * host directory by making its name a file; or have `cp` reach into another
 * process's root when the pid berth recorded has been given to someone else.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { imageArchive, tarBuffer, tarItems } from '../helpers/archives.js';
import { until } from '../helpers/engine.js';
import { berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';

const reason = skipReason();

describeIf(reason)('hostile containers against the host', () => {
  let t: TempRoot;
  const hostProcs: ChildProcess[] = [];
  beforeAll(async () => {
    t = tempRoot('berth-hostctr-');
    expect((await berth(t, ['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(async () => {
    for (const p of hostProcs) p.kill('SIGKILL');
    for (const id of (await berth(t, ['ps', '-aq'])).stdout.split('\n').filter(Boolean))
      await berth(t, ['rm', '-f', id]);
    t.cleanup();
  });

  it('a container sharing a volume cannot steer its copy-up onto the host by swapping in a symlink', async () => {
    // the host directory the attacker aims at, with a file that must survive and known times
    const target = join(t.base, 'host-target');
    mkdirSync(target);
    writeFileSync(join(target, 'keep'), 'keep\n');
    utimesSync(target, 1_600_000_000, 1_600_000_000);
    // an image whose /data holds d/a (large: the copy takes a while) then d/b
    const items = await tarItems(readFileSync(fixture('busybox.docker-save.tar')));
    const bb = items.find((i) => i.h.name.endsWith('/layer.tar'))!.data as Buffer;
    const top = await tarBuffer([
      { h: { name: 'data/', type: 'dir', mode: 0o755 } },
      { h: { name: 'data/d/', type: 'dir', mode: 0o755 } },
      { h: { name: 'data/d/a', type: 'file', mode: 0o644 }, data: Buffer.alloc(64 * 1024 * 1024) },
      { h: { name: 'data/d/b', type: 'file', mode: 0o644 }, data: 'written by the copy-up\n' },
    ]);
    const file = join(t.base, 'copyup.tar');
    writeFileSync(file, await imageArchive([bb, top], { tag: 'copyup:1' }));
    expect((await berth(t, ['load', '-q', '-i', file])).exitCode).toBe(0);
    await berth(t, ['volume', 'create', 'shared']);
    // the attacker shares the volume: as soon as the copy has begun d/a, d becomes a link to the host target
    const script = [
      'i=0',
      'while [ $i -lt 20000000 ] && [ ! -e /v/d/a ]; do i=$((i+1)); done',
      'mv /v/d /v/d.old && ln -s ' + target + ' /v/d && echo swapped',
      'sleep 1000',
    ].join('; ');
    const attacker = (await berth(t, ['run', '-d', '-v', 'shared:/v', 'bb', 'sh', '-c', script])).stdout.trim();
    // the victim's first start copies the image's /data into the empty volume
    const victim = await berth(t, ['run', '-d', '-v', 'shared:/data', 'copyup:1', 'sleep', '1000']);
    await until(async () => (await berth(t, ['logs', attacker])).stdout.includes('swapped'), 30_000);
    // the race was run: the attacker swapped while the copy-up wrote d/a, before d/b
    const old = join(t.root, 'volumes', 'shared', '_data', 'd.old');
    expect(existsSync(join(old, 'a'))).toBe(true);
    expect(existsSync(join(old, 'b'))).toBe(false);
    // and nothing reached the host: no file written, none deleted, no times set
    expect(readdirSync(target)).toEqual(['keep']);
    expect(readFileSync(join(target, 'keep'), 'utf8')).toBe('keep\n');
    expect(statSync(target).mtimeMs).toBe(1_600_000_000_000);
    // the copy-up stopped at the link it cannot follow out of the volume, and said so
    expect(victim.exitCode).toBe(125);
    expect(victim.stderr).toMatch(/^Error: cannot copy the image's \/data into volume shared: .*\n$/);
  });

  it('cp refuses to replace a host directory with a file, or a file with a directory, as docker does', async () => {
    const id = (
      await berth(t, ['run', '-d', 'bb', 'sh', '-c', 'echo file > /out; mkdir /d; echo x > /d/f; sleep 1000'])
    ).stdout.trim();
    await until(async () => (await berth(t, ['exec', id, 'ls', '/d'])).stdout.includes('f'));
    const dest = join(t.base, 'cpdest');
    mkdirSync(join(dest, 'out'), { recursive: true });
    writeFileSync(join(dest, 'out', 'keep'), 'precious\n');
    writeFileSync(join(dest, 'd'), 'a file\n');
    // container -> host (docker 28's words, its client extracting on the host)
    const out = await berth(t, ['cp', `${id}:/out`, `${dest}/`]);
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toBe(`Error: cannot overwrite directory "${dest}/out" with non-directory "${dest}"\n`);
    expect(readFileSync(join(dest, 'out', 'keep'), 'utf8')).toBe('precious\n');
    const d = await berth(t, ['cp', `${id}:/d`, dest]);
    expect(d.exitCode).toBe(1);
    expect(d.stderr).toBe(`Error: cannot overwrite non-directory "${dest}/d" with directory "${dest}"\n`);
    expect(readFileSync(join(dest, 'd'), 'utf8')).toBe('a file\n');
    // host -> container (docker's daemon says the same of the container's paths)
    const src = join(t.base, 'cpsrc');
    mkdirSync(join(src, 'out'), { recursive: true });
    writeFileSync(join(src, 'd'), 'file\n');
    const toDir = await berth(t, ['cp', join(src, 'out'), `${id}:/`]);
    expect(toDir.exitCode).toBe(1);
    expect(toDir.stderr).toMatch(/cannot overwrite non-directory "\/out" with directory "\/"\n$/);
    const toFile = await berth(t, ['cp', join(src, 'd'), `${id}:/`]);
    expect(toFile.exitCode).toBe(1);
    expect(toFile.stderr).toMatch(/cannot overwrite directory "\/d" with non-directory "\/"\n$/);
    expect((await berth(t, ['exec', id, 'sh', '-c', 'cat /out; ls /d'])).stdout).toBe('file\nf\n');
  });

  it("cp never reaches another process's root through a recorded pid that was given away", async () => {
    const id = (await berth(t, ['run', '-d', 'bb', 'sleep', '1000'])).stdout.trim();
    const marker = join(t.base, 'host-marker');
    writeFileSync(marker, 'host only\n');
    // a host process standing for one the kernel gave the container's pid to after its init exited
    const other = spawn('sleep', ['1000'], { stdio: 'ignore' });
    hostProcs.push(other);
    // the moment before the monitor records the exit: its state file still names the old pid
    const runDir = join(t.runroot, 'c', id.slice(0, 16));
    const state = JSON.parse(readFileSync(join(runDir, 'state.json'), 'utf8'));
    expect(state.status).toBe('running');
    expect((await berth(t, ['cp', `${id}:/etc/passwd`, '-'])).exitCode).toBe(0); // the real one works
    writeFileSync(join(runDir, 'state.json'), JSON.stringify({ ...state, pid: other.pid }));
    const read = await berth(t, ['cp', `${id}:${marker}`, '-']);
    expect(read.stdout).not.toContain('host only');
    expect(read.exitCode).toBe(1);
    expect(read.stderr).toMatch(/is not running: its process has exited/);
    writeFileSync(join(t.base, 'planted'), 'from cp\n');
    const write = await berth(t, ['cp', join(t.base, 'planted'), `${id}:${join(t.base, 'host-dir')}`]);
    expect(write.exitCode).toBe(1);
    expect(existsSync(join(t.base, 'host-dir'))).toBe(false);
    writeFileSync(join(runDir, 'state.json'), JSON.stringify(state));
  });
});
