/**
 * Where new layer trees are born: the store's scratch directory carries
 * ext4's "top directory" attribute (chattr +T), so the inode allocator starts
 * each load's tree in a block group of its own instead of beside the trees
 * that were just removed (on ext4 without a journal every create there stepped
 * over each recently freed inode: README, Benchmarks). Only a placement hint:
 * a store on a file system without the attribute works the same.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { berth, describeIf, fixture, itIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';

/** The type of the file system dir is on (findmnt lists stacked mounts, the visible one first). */
const fsType = (dir: string) =>
  spawnSync('findmnt', ['-n', '-o', 'FSTYPE', '--target', dir], { encoding: 'utf8' }).stdout.split('\n')[0]!.trim();
/** lsattr's flag letters for a directory itself. */
const flags = (dir: string) => spawnSync('lsattr', ['-d', dir], { encoding: 'utf8' }).stdout.split(/\s+/)[0] ?? '';

const reason = skipReason();
const probe = tempRoot();
const onExt4 = fsType(probe.base) === 'ext4' ? null : `the temporary directory is on ${fsType(probe.base)}, not ext4`;
probe.cleanup();
const SHM = '/dev/shm';
const onTmpfs = fsType(SHM) === 'tmpfs' ? null : `${SHM} is not a tmpfs here`;

describeIf(reason)('the scratch directory spreads new layer trees', () => {
  const roots: TempRoot[] = [];
  afterAll(() => roots.forEach((r) => r.cleanup()));

  itIf(onExt4)('on ext4, a load leaves <root>/tmp with the T attribute, and the layer trees without it', async () => {
    const t = tempRoot();
    roots.push(t);
    const r = await berth(t, ['load', '-q', '-i', fixture('layers.docker-save.tar')]);
    expect(r.exitCode).toBe(0);
    expect(flags(join(t.root, 'tmp'))).toContain('T');
    // not inherited: inside a tree, directories stay packed beside their parent
    const layers = readdirSync(join(t.root, 'layers'));
    expect(layers.length).toBeGreaterThan(1);
    for (const l of layers) {
      expect(flags(join(t.root, 'layers', l))).not.toContain('T');
      expect(flags(join(t.root, 'layers', l, 'diff'))).not.toContain('T');
    }
  });

  itIf(onExt4)('a store made before the attribute gets it at its next load', async () => {
    const t = tempRoot();
    roots.push(t);
    expect((await berth(t, ['images'])).exitCode).toBe(0); // opening makes the store, tmp included
    spawnSync('chattr', ['-T', join(t.root, 'tmp')]);
    expect(flags(join(t.root, 'tmp'))).not.toContain('T');
    expect((await berth(t, ['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    expect(flags(join(t.root, 'tmp'))).toContain('T');
  });

  itIf(onTmpfs)('on a file system without the attribute (tmpfs), load, rmi and prune work as before', async () => {
    const base = mkdtempSync(join(SHM, 'berth-test-'));
    const t: TempRoot = {
      base,
      root: join(base, 'root'),
      runroot: join(base, 'run'),
      env: { BERTH_ROOT: join(base, 'root'), BERTH_RUNROOT: join(base, 'run') },
      cleanup: () => rmSync(base, { recursive: true, force: true }),
    };
    roots.push(t);
    const r = await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')]);
    expect(r).toMatchObject({ exitCode: 0, stderr: '' });
    expect(r.stdout).toBe('Loaded image: bb:latest\n');
    expect(flags(join(t.root, 'tmp'))).not.toContain('T');
    expect((await berth(t, ['rmi', 'bb'])).exitCode).toBe(0);
    expect((await berth(t, ['images', '-aq'])).stdout).toBe('');
    expect(readdirSync(join(t.root, 'layers'))).toEqual([]);
  });
});
