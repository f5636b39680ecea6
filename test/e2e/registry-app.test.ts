/**
 * The real app (`node dist/cli/main.cjs`) in a pseudo-terminal the test holds
 * (helpers/pty.ts) against real registries on loopback: a pull with docker's
 * per-layer lines, a pull cancelled with Esc while the fault proxy holds a
 * blob (nothing partial left in the store), the pull again, a push of the
 * selection, a search whose result pulls with Enter, and a 401 answered with
 * credentials (saved as `berth login` saves them; the password on no screen,
 * in no byte sent to the terminal, in no log and no event). Every byte the
 * app sent while it owned the screen is frame output (helpers/frames.ts).
 * Then a hangup in the middle of a held pull: the app ends as SIGHUP ends a
 * process (129) after cancelling it, and nothing of it is in the store.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/engine.js';
import { CLI, berth, describeIf, fixture, peerSkipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { checkFrames } from '../helpers/frames.js';
import { Pty } from '../helpers/pty.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushFixture } from '../helpers/registry-peers.js';

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import pty']);
    return true;
  } catch {
    return false;
  }
})();
const reason = peerSkipReason() ?? (hasPython ? null : 'python3 (its pty module drives the terminal) is not installed');

describeIf(reason)('the app and registries in a terminal', () => {
  let reg: TestRegistry;
  let authReg: TestRegistry;
  let proxy: FaultProxy;
  let t: TempRoot;
  let pty: Pty | null = null;
  let dockerConfig = '';
  let big = '';
  let env: Record<string, string> = {};

  beforeAll(async () => {
    reg = await startRegistry();
    const remote = await pushFixture(reg, fixture('layers.docker-save.tar'), 'f/layers:v1', { image: 'bb-layers:v1' });
    big = remote.layers![0]!;
    await pushFixture(reg, fixture('busybox.docker-save.tar'), 'tools/busybox:latest');
    authReg = await startRegistry({ tls: true, auth: 'basic' });
    await pushFixture(authReg, fixture('busybox.docker-save.tar'), 'private/bb:1');
    // the first three fetches of the big layer are held after 300 kB (cancelled, let go, hung up on)
    proxy = await startFaultProxy(reg.host, [{ path: big, fault: { kind: 'stall', afterBytes: 300_000 }, times: 3 }]);
    t = tempRoot('berth-e2e-registry-');
    dockerConfig = mkdtempSync(join(tmpdir(), 'berth-e2e-docker-'));
    env = { ...t.env, DOCKER_CONFIG: dockerConfig, BERTH_CERTS_D: authReg.certsDir! };
  });
  afterEach(async () => {
    await pty?.close();
    pty = null;
  });
  afterAll(async () => {
    await proxy?.stop();
    await reg?.stop();
    await authReg?.stop();
    t?.cleanup();
    rmSync(dockerConfig, { recursive: true, force: true });
  });

  const start = async () => {
    pty = new Pty(['node', CLI], { env, cwd: t.base, cols: 120, rows: 40 });
    await pty.waitFor(/1 Containers/);
    pty.keys('2');
    await pty.waitFor('REPOSITORY:TAG');
    return pty;
  };
  const storeFiles = () =>
    ['layers', 'tmp', join('blobs', 'sha256')].map((d) => {
      const p = join(t.root, d);
      return existsSync(p) ? readdirSync(p).length : 0;
    });

  it('pulls with progress, cancels a stalled pull leaving nothing, pushes, searches and pulls a result, and answers a 401', async () => {
    const s = await start();
    const screens: string[] = [];
    const seen = async (what: string | RegExp | ((x: string) => boolean), ms?: number) => {
      const x = await s.waitFor(what, ms);
      screens.push(x);
      return x;
    };

    // a pull held in its big layer: docker's lines, then Esc
    s.keys('p');
    await seen('Pull an image');
    s.keys(`${proxy.host}/f/layers:v1`, 'Enter');
    const held = await seen((x) =>
      new RegExp(`${big.slice(7, 19)}: Downloading \\[=*>\\s+\\]\\s+[\\d.]+kB/1\\.\\d+MB`).test(x),
    );
    expect(held).toContain('v1: Pulling from f/layers');
    await until(() => proxy.stalled() === 1);
    s.keys('Escape');
    await seen(`pulling ${proxy.host}/f/layers:v1: cancelled; nothing was left behind`);
    expect((await berth(t, ['images', '-q'])).stdout).toBe('');
    expect(storeFiles()).toEqual([0, 0, 0]);
    await until(() => proxy.events.some((e) => e.abandoned));

    // again: it comes, and is the selection in Images
    s.keys('p', `${proxy.host}/f/layers:v1`, 'Enter');
    await until(() => proxy.stalled() === 1);
    proxy.release();
    await seen(`Downloaded newer image for ${proxy.host}/f/layers:v1`);
    await seen(`│ ${proxy.host}/f/layers:v1 │ Inspect`);

    // push the selection under a name of the registry
    expect((await berth(t, ['tag', `${proxy.host}/f/layers:v1`, `${reg.host}/e2e/pushed:1`])).exitCode).toBe(0);
    s.keys('/', 'e2e/pushed', 'Enter');
    await seen(/1 shown/);
    s.keys('u');
    await seen(`Push image: ${reg.host}/e2e/pushed:1`);
    s.keys('Enter');
    await seen(new RegExp(`pushed ${reg.host}/e2e/pushed:1: digest: sha256:[0-9a-f]{64}`));
    const manifest = await fetch(`http://${reg.host}/v2/e2e/pushed/manifests/1`, {
      headers: { accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(manifest.status).toBe(200);

    // search the registry's catalog; Enter pulls the result
    s.keys('Escape', 'f');
    await seen('Search a registry');
    s.keys(`${reg.host}/busy`, 'Enter');
    const table = await seen(`${reg.host}/tools/busybox`);
    expect(table).toMatch(/NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\s+AUTOMATED/);
    s.keys('Enter');
    await seen(`Downloaded newer image for ${reg.host}/tools/busybox:latest`);

    // a registry that wants credentials
    s.keys('p', `${authReg.host}/private/bb:1`, 'Enter');
    await seen(`Log in to ${authReg.host}`);
    s.keys(authReg.user!, 'Tab', authReg.password!);
    await seen('•'.repeat(authReg.password!.length));
    s.keys('Enter');
    await seen(`Downloaded newer image for ${authReg.host}/private/bb:1`);
    const cfg = JSON.parse(readFileSync(join(dockerConfig, 'config.json'), 'utf8')) as {
      auths: Record<string, { auth: string }>;
    };
    expect(cfg.auths[authReg.host]!.auth).toBe(Buffer.from(`${authReg.user}:${authReg.password}`).toString('base64'));
    s.keys('q');
    const exit = await s.exited;
    expect(exit.code).toBe(0);
    // nothing but frames reached the terminal; the password was on no screen, in no byte sent, in no log, in no event
    const raw = s.bytes().toString();
    expect(checkFrames(raw).strays).toEqual([]);
    expect(raw).not.toContain(authReg.password!);
    for (const x of screens) expect(x).not.toContain(authReg.password!);
    const appLog = join(t.runroot, 'app.log');
    if (existsSync(appLog)) expect(readFileSync(appLog, 'utf8')).not.toContain(authReg.password!);
    const events = await berth(t, ['events', '--since', '0', '--until', String(Math.ceil(Date.now() / 1000))]);
    expect(events.stdout).toContain('image pull');
    expect(events.stdout).not.toContain(authReg.password!);
  });

  it('a hangup in the middle of a pull cancels it as Esc would: 129, nothing of it in the store', async () => {
    // an empty store again, so that the big layer is fetched
    const ids = (await berth(t, ['images', '-q'])).stdout.split('\n').filter(Boolean);
    expect((await berth(t, ['rmi', '-f', ...new Set(ids)])).exitCode).toBe(0);
    expect(storeFiles()).toEqual([0, 0, 0]);
    const s = await start();
    s.keys('p', `${proxy.host}/f/layers:v1`, 'Enter');
    await s.waitFor(new RegExp(`${big.slice(7, 19)}: Downloading`));
    await until(() => proxy.stalled() === 1);
    const exit = await s.hangup();
    expect([exit.code ?? 128 + exit.signal!, exit.core]).toEqual([129, false]);
    await until(() => proxy.events.filter((e) => e.abandoned).length === 2);
    expect((await berth(t, ['images', '-q'])).stdout).toBe('');
    expect(storeFiles()).toEqual([0, 0, 0]);
  });
});
