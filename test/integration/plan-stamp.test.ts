/**
 * Run plans are stamped with what computes them: a plan written by one build
 * is refused by the launcher once the code that computes plans (the command
 * line's bundle), the shared constants or the launcher itself changed, and the
 * Node run that follows writes it again. Played on a copy of the built package
 * (bin, dist, the native programs; node_modules linked), rebuilt as `npm run
 * build` rebuilds it, so the repository's own build is left alone. Needs root
 * and containers.
 */
import {
  existsSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';

const reason = skipReason();

describeIf(reason)('run plans stamped with the build that computes them', () => {
  let pkg: string;
  let t: TempRoot;
  const release = () => join(pkg, 'native', 'build', 'Release');
  const stampFile = () => join(pkg, 'dist', 'cli', 'bundle', 'plan-stamp');

  /** The copy's bin/berth; native: 'only' (must not hand over) or 'auto'. */
  const launch = async (args: string[], native: 'only' | 'auto') => {
    const env = { ...t.env, NO_COLOR: '1', ...(native === 'only' ? { BERTH_NATIVE_RUN: 'only' } : {}) };
    const r = await execa(join(pkg, 'bin', 'berth'), args, { env, reject: false, stdin: 'ignore' });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  const plan = (): { stamp: string; rebuilt?: number } => {
    const [file] = readdirSync(join(t.root, 'plans'));
    return JSON.parse(readFileSync(join(t.root, 'plans', file!), 'utf8'));
  };
  /** What the copy's launcher expects: the build's hash, then its own size and mtime (ns). */
  const expected = () => {
    const st = statSync(join(release(), 'berth-launch'), { bigint: true });
    return `${readFileSync(stampFile(), 'utf8').trim()}:${st.size}:${st.mtimeNs}`;
  };
  /** `npm run build`'s last step, in the copy: the command line's bundle and the plans' stamp. */
  const rebundle = async () => {
    const r = await execa('node', [join(pkg, 'dist', 'cli', 'bundle.js')], { reject: false });
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
  };

  beforeAll(async () => {
    pkg = mkdtempSync(join(tmpdir(), 'berth-build-'));
    for (const p of ['bin', 'dist', 'package.json', join('native', 'constants.json')])
      cpSync(join(REPO, p), join(pkg, p), { recursive: true, preserveTimestamps: true });
    mkdirSync(release(), { recursive: true });
    for (const f of ['berth-launch', 'berth-monitor', 'berth_native.node'])
      cpSync(join(REPO, 'native', 'build', 'Release', f), join(release(), f), { preserveTimestamps: true });
    symlinkSync(join(REPO, 'node_modules'), join(pkg, 'node_modules'));
    t = tempRoot();
    expect((await berth(t, ['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(() => {
    t?.cleanup();
    if (pkg) rmSync(pkg, { recursive: true, force: true });
  });

  it('a plan written before the code that computes plans changed is refused, and Node writes it again', async () => {
    expect((await launch(['run', '--rm', 'bb', 'true'], 'auto')).exitCode).toBe(0);
    const first = plan();
    expect(first.stamp).toMatch(/^[0-9a-f]{64}:\d+:\d+$/);
    expect(first.stamp).toBe(expected());
    expect(await launch(['run', '--rm', 'bb', 'echo', 'native'], 'only')).toEqual({
      exitCode: 0,
      stdout: 'native',
      stderr: '',
    });

    // the engine's code that computes plans changes (here: the plan gets one more field), and the build runs
    const code = join(pkg, 'dist', 'engine', 'container', 'run-plan.js');
    const text = readFileSync(code, 'utf8');
    expect(text.split('exitCommand: exitCommand(MARK_ID),')).toHaveLength(2);
    writeFileSync(code, text.replace('exitCommand: exitCommand(MARK_ID),', '$& rebuilt: 1,'));
    const before = readFileSync(stampFile(), 'utf8');
    await rebundle();
    expect(readFileSync(stampFile(), 'utf8')).not.toBe(before);

    const refused = await launch(['run', '--rm', 'bb', 'true'], 'only');
    expect([refused.exitCode, refused.stderr]).toEqual([
      125,
      'berth: the native run path cannot take this command line: plan written for another build',
    ]);
    // the old plan is still there until Node runs the command line and writes the new shape
    expect(plan().rebuilt).toBeUndefined();
    expect((await launch(['run', '--rm', 'bb', 'echo', 'node'], 'auto')).stdout).toBe('node');
    expect(plan()).toMatchObject({ rebuilt: 1, stamp: expected() });
    expect((await launch(['run', '--rm', 'bb', 'echo', 'again'], 'only')).stdout).toBe('again');
  });

  it('a rebuild that changes nothing keeps the stamp; new shared constants or a new launcher do not', async () => {
    await rebundle();
    const stamp = plan().stamp;
    expect(stamp).toBe(expected());
    expect((await launch(['run', '--rm', 'bb', 'true'], 'only')).exitCode).toBe(0);

    // native/constants.json (the store schema, the markers, ...) is part of what the build hashes
    const constants = join(pkg, 'native', 'constants.json');
    writeFileSync(constants, readFileSync(constants, 'utf8') + '\n');
    await rebundle();
    expect(expected()).not.toBe(stamp);
    expect((await launch(['run', '--rm', 'bb', 'true'], 'only')).stderr).toMatch(/plan written for another build/);
    expect((await launch(['run', '--rm', 'bb', 'true'], 'auto')).exitCode).toBe(0);
    expect((await launch(['run', '--rm', 'bb', 'true'], 'only')).exitCode).toBe(0);

    // the launcher rebuilt (its size and mtime change; the bundle did not)
    const launcher = join(release(), 'berth-launch');
    const later = new Date(statSync(launcher).mtimeMs + 5000);
    utimesSync(launcher, later, later);
    expect((await launch(['run', '--rm', 'bb', 'true'], 'only')).stderr).toMatch(/plan written for another build/);
    expect((await launch(['run', '--rm', 'bb', 'true'], 'auto')).exitCode).toBe(0);
    expect(plan().stamp).toBe(expected());
    expect((await launch(['run', '--rm', 'bb', 'true'], 'only')).exitCode).toBe(0);

    // no stamp from the build: the launcher hands every run to Node, and Node writes no plan
    rmSync(stampFile());
    expect((await launch(['run', '--rm', 'bb', 'true'], 'only')).stderr).toMatch(/plan-stamp/);
    rmSync(join(t.root, 'plans'), { recursive: true });
    expect((await launch(['run', '--rm', 'bb', 'true'], 'auto')).exitCode).toBe(0);
    // the store makes its directories (0700) when it opens; what matters is that no plan is in it
    const plans = join(t.root, 'plans');
    expect(existsSync(plans) ? readdirSync(plans) : []).toEqual([]);
  });
});
