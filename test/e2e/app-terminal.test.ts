/**
 * The real app in a pseudo-terminal whose master side the test holds
 * (helpers/pty.ts), against the real engine and real containers:
 * - while the app owns the screen, every byte it sends to the terminal is
 *   frame output (helpers/frames.ts checks the raw stream), through a
 *   session of every tab and dialog with a chatty log followed, and with
 *   output that is not the app's injected into it (warnings, console.error,
 *   console.log, stderr): that goes to <runroot>/app.log, the footer says
 *   so, and an exec's output and what is written after quitting reach the
 *   real terminal;
 * - a hangup (the master closed, as when an SSH link drops or a tmux
 *   session is killed) in the middle of a save, a load, a commit, an attach
 *   and an exec ends the app as SIGHUP ends a process (status 129: no
 *   assertion, no core), leaving no partial file or image, the commit done,
 *   the attached container running, and the exec'd process running as a
 *   dropped `docker exec -it` client leaves it.
 * Saves, loads and commits of a 48 MB image take a fraction of a second, so
 * the app is given 4 % of a CPU (a cgroup quota, helpers/throttle.ts) just
 * before the work starts: the hangup then surely comes while it runs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/engine.js';
import { CLI, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { checkFrames } from '../helpers/frames.js';
import { Pty, type PtyExit } from '../helpers/pty.js';
import { cpuThrottle, throttleUnavailable, type Throttle } from '../helpers/throttle.js';

const STRAY_WRITER = fileURLToPath(new URL('../helpers/stray-writer.cjs', import.meta.url));

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import pty']);
    return true;
  } catch {
    return false;
  }
})();
const reason =
  skipReason() ??
  (hasPython ? null : 'python3 (its pty module drives the terminal) is not installed') ??
  throttleUnavailable();

/** The status a shell reports for the program: its exit code, or 128 + the signal that ended it. */
const status = (e: PtyExit) => e.code ?? 128 + e.signal!;

describeIf(reason)('the app owns its terminal, and a hangup ends it quietly', () => {
  let t: TempRoot;
  let pty: Pty | null = null;
  let throttle: Throttle | null = null;

  beforeAll(async () => {
    t = tempRoot('berth-pty-');
    const ok = async (args: string[]) => {
      const r = await berth(t, args);
      expect(r.exitCode, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    await ok(['load', '-i', fixture('layers.docker-save.tar')]);
    await ok(['run', '-d', '--name', 'web', 'bb', 'sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done']);
    await ok(['run', '-dit', '--name', 'term', 'bb', 'sh']);
    // 48 MB of data in a container and in an image (commit, save, load)
    await ok([
      'run',
      '-d',
      '--name',
      'big',
      'bb',
      'sh',
      '-c',
      'dd if=/dev/urandom of=/big.bin bs=1M count=48; sleep 3600',
    ]);
    await until(async () => (await berth(t, ['diff', 'big'])).stdout.includes('/big.bin'), 30_000, 200);
    await until(async () => (await berth(t, ['logs', 'big'])).stderr.includes('records out'), 30_000, 200);
    await ok(['commit', 'big', 'bigimg:1']);
    await ok(['save', '-o', join(t.base, 'big.tar'), 'bigimg:1']);
    // the newest, so listed first: a log that wakes its follower twenty times a second
    await ok([
      'run',
      '-d',
      '--name',
      'chatty',
      'bb',
      'sh',
      '-c',
      'i=0; while true; do echo line-$i; i=$((i+1)); usleep 50000; done',
    ]);
  }, 180_000);
  afterEach(async () => {
    await pty?.close();
    pty = null;
    throttle?.remove();
    throttle = null;
  });
  afterAll(async () => {
    for (const c of ['web', 'term', 'big', 'chatty']) await berth(t, ['rm', '-f', c]);
    t?.cleanup();
  });

  const appLog = () => join(t.runroot, 'app.log');
  const start = async (env: Record<string, string> = {}) => {
    rmSync(appLog(), { force: true }); // each session's own
    pty = new Pty(['node', CLI], { env: { ...t.env, ...env }, cwd: t.base, cols: 120, rows: 40 });
    await pty.waitFor(/Containers .*4 running/);
    await pty.waitFor('bb-layers:v0');
    return pty;
  };
  /** Select the one row of a list that `filter` picks out. */
  const pick = async (p: Pty, list: '1' | '2' | '3', filter: string) => {
    p.keys(list, '/', filter, 'Enter');
    await p.waitFor(/· 1 shown/);
  };
  /** Starting now, the app gets 4 % of a CPU. */
  const slowDown = (p: Pty) => {
    throttle = cpuThrottle(4);
    throttle.add(p.programPid());
  };
  /** Hang up; the app must end as SIGHUP ends a process, without a core and with nothing alarming logged. */
  const hangUp = async (p: Pty) => {
    const exit = await p.hangup();
    expect(exit.core).toBe(false);
    expect(status(exit)).toBe(129);
    const log = existsSync(appLog()) ? readFileSync(appLog(), 'utf8') : '';
    expect(log).not.toMatch(/Assertion|Error|\n\s+at /);
    expect(p.bytes().toString()).not.toContain('Assertion failed');
  };
  const state = async (name: string) => (await berth(t, ['inspect', '-f', '{{.State.Status}}', name])).stdout.trim();
  const images = async () => (await berth(t, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout;
  const scratch = () => (existsSync(join(t.root, 'tmp')) ? readdirSync(join(t.root, 'tmp')) : []);

  it('sends nothing but frames through every tab and dialog while following a chatty log', async () => {
    const p = await start();
    // containers: the chatty one is first; its tabs, the menu, the help, the filter, the dialogs
    p.keys('1');
    await p.waitFor(/line-\d+/);
    await p.waitFor(/Logs │ Stats │ Inspect/);
    p.keys(']');
    await p.waitFor('Block I/O');
    p.keys(']');
    await p.waitFor('"Id": ');
    p.keys(']');
    await p.waitFor(/PID\s+USER|UID\s+PID/);
    p.keys(']');
    await p.waitFor(/Diff/);
    p.keys('[', '[', '[', '[');
    await p.waitFor(/line-\d+/);
    const dialog = async (key: string, title: string | RegExp, close = 'Escape') => {
      p.keys(key);
      await p.waitFor(title);
      p.keys(close);
      await p.waitFor((x) => !(typeof title === 'string' ? x.includes(title) : title.test(x)));
    };
    await dialog('Enter', 'Actions:');
    await dialog('?', 'Everywhere');
    await dialog('c', 'Commit container:');
    await dialog('e', 'Export container file system:');
    await dialog('d', 'Remove container');
    p.keys('m');
    await p.waitFor((x) => !x.includes('Containers'));
    p.keys('Escape');
    await p.waitFor('Containers');
    p.keys('/', 'cha');
    await p.waitFor('1 shown filter: c');
    p.keys('Escape');
    await p.waitFor((x) => !x.includes('filter:'));
    // images: tabs and dialogs
    p.keys('2');
    await p.waitFor(/REPOSITORY:TAG/);
    p.keys(']');
    await p.waitFor('CREATED BY');
    await dialog('t', 'Tag image:');
    await dialog('S', 'Save images:');
    await dialog('L', 'Load images');
    await dialog('R', 'Run a container:');
    await dialog('d', 'Remove images');
    await dialog('P', 'Prune images');
    // volumes
    p.keys('3');
    await p.waitFor(/3 Volumes/);
    await dialog('n', 'empty: a generated name');
    // back to the chatty log, long enough for a leak of listeners to show (it did within three seconds)
    p.keys('1');
    const before = (await p.waitFor(/line-(\d+)/)).match(/line-(\d+)/g)!.pop()!;
    await p.waitFor((x) => {
      const last = x.match(/line-(\d+)/g)?.pop();
      return !!last && Number(last.slice(5)) >= Number(before.slice(5)) + 80;
    }, 30_000);
    p.keys('q');
    const exit = await p.exited;
    expect(status(exit)).toBe(0);

    const check = checkFrames(p.bytes());
    expect(check.strays).toEqual([]);
    expect(check.owned).toBe(1);
    expect(check.frames).toBeGreaterThan(20);
    // nothing was logged either: no warning happened
    expect(existsSync(appLog()) ? readFileSync(appLog(), 'utf8') : '').toBe('');
  }, 120_000);

  it('sends warnings and stray output to the log, says so in the footer, and gives stderr back to exec and at exit', async () => {
    const p = await start({ NODE_OPTIONS: `--require=${STRAY_WRITER}` });
    const note = await p.waitFor(/\d+ messages logged to .*app\.log/);
    expect(note).toContain(appLog().slice(0, 30));
    // an exec has the real terminal: its output shows, and the app comes back
    await pick(p, '1', 'web');
    p.keys('E');
    await p.waitFor(/^\/ #/m);
    p.keys('echo answer-$((6*7))', 'Enter');
    await p.waitFor('answer-42');
    p.keys('exit', 'Enter');
    await p.waitFor(/exited with code 0/);
    p.keys('q');
    const exit = await p.exited;
    expect(status(exit)).toBe(0);

    const raw = p.bytes().toString();
    const check = checkFrames(raw);
    expect(check.owned).toBe(2); // before and after the exec
    expect(check.strays).toEqual([]);
    // after the app gave the terminal back, stderr is the terminal's again
    expect(raw.slice(raw.lastIndexOf('\x1b[?1049l'))).toContain('STRAY-AT-EXIT');
    const log = readFileSync(appLog(), 'utf8');
    for (const s of ['StrayTestWarning: stray warning', 'stray console.error', 'stray console.log', 'stray stderr'])
      expect(log).toContain(s);
  }, 120_000);

  it('a SIGHUP with the terminal still there gives the screen back first, then ends with 129', async () => {
    const p = await start();
    process.kill(p.programPid(), 'SIGHUP');
    const exit = await p.exited;
    expect(status(exit)).toBe(129);
    expect(exit.core).toBe(false);
    const raw = p.bytes().toString();
    expect(raw.endsWith('\x1b[0m\x1b[?25h\x1b[?1049l')).toBe(true);
    expect(checkFrames(raw).strays).toEqual([]);
  });

  it('on a hangup during a save, cancels it as Esc would: no file, no partial file', async () => {
    const p = await start();
    await pick(p, '2', 'bigimg');
    p.keys('S');
    await p.waitFor('./bigimg_1.tar');
    slowDown(p);
    p.keys('Enter');
    await p.waitFor(/Saving /);
    await hangUp(p);
    expect(readdirSync(t.base).filter((f) => f.includes('bigimg_1'))).toEqual([]);
  }, 120_000);

  it('on a hangup during a load, cancels it as Esc would: no image, no scratch left', async () => {
    expect((await berth(t, ['rmi', 'bigimg:1'])).exitCode).toBe(0);
    const p = await start();
    p.keys('2', 'L');
    await p.waitFor('Load images');
    p.keys('./big.tar');
    slowDown(p);
    p.keys('Enter');
    await p.waitFor(/Loading big\.tar/);
    await hangUp(p);
    expect(await images()).not.toContain('bigimg:1');
    expect(scratch()).toEqual([]);
    // the archive loads (put it back for whoever comes next)
    expect((await berth(t, ['load', '-q', '-i', join(t.base, 'big.tar')])).exitCode).toBe(0);
  }, 120_000);

  it('on a hangup during a commit, finishes it: the image is there, the container runs on', async () => {
    const p = await start();
    await pick(p, '1', 'big');
    p.keys('c');
    await p.waitFor('Commit container: big');
    p.keys('hup-commit:1');
    slowDown(p);
    p.keys('Enter');
    await p.waitFor(/Committing big/);
    // in the middle of it: the container is paused while its changes are read
    await until(async () => (await state('big')) === 'paused', 30_000, 100);
    await hangUp(p);
    expect(await images()).toContain('hup-commit:1');
    expect(await state('big')).toBe('running');
    expect(scratch()).toEqual([]);
  }, 120_000);

  it('on a hangup while attached, leaves the container running (with and without a tty)', async () => {
    for (const name of ['web', 'term']) {
      const p = await start();
      await pick(p, '1', name);
      p.keys('a');
      await p.waitFor(`attached to ${name}`);
      await hangUp(p);
      await pty!.close();
      pty = null;
      expect(await state(name)).toBe('running');
    }
  }, 120_000);

  it("on a hangup during an exec, leaves the exec'd process running, as docker and podman do", async () => {
    const p = await start();
    await pick(p, '1', 'web');
    p.keys('E');
    await p.waitFor(/^\/ #/m);
    p.keys('sleep 4242', 'Enter');
    const sleeping = async () => (await berth(t, ['top', 'web'])).stdout.includes('sleep 4242');
    await until(sleeping, 15_000, 100);
    await hangUp(p);
    expect(await sleeping()).toBe(true);
    expect(await state('web')).toBe('running');
  }, 120_000);
});
