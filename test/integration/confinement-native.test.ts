/**
 * Container confinement enforced by the native monitor (issue 13; README
 * "Container confinement (native)"): each test plays the attacker, a container
 * or an image trying to reach the host, and fails without the rule it guards.
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REPO, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';

const reason = skipReason();
const BUILD = join(REPO, 'native', 'build', 'Release');
const hash = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describeIf(reason)('native confinement', () => {
  let t: TempRoot;
  beforeAll(async () => {
    t = tempRoot('berth-confine-');
    const r = await berth(t, ['load', '-q', '-i', fixture('layers.docker-save.tar')]);
    expect(r.exitCode).toBe(0);
  });
  afterAll(async () => {
    const ids = (await berth(t, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    if (ids.length) await berth(t, ['rm', '-f', ...ids]);
    t.cleanup();
  });

  /** A private copy of berth-monitor: an attack that succeeds corrupts the copy, never the build. */
  function monitorCopy(name: string): string {
    const dir = join(t.base, name);
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'berth-monitor');
    copyFileSync(join(BUILD, 'berth-monitor'), path);
    chmodSync(path, 0o755);
    return path;
  }

  it('exec: a #!/proc/self/exe script cannot open the monitor binary for writing (CVE-2019-5736)', async () => {
    const monitor = monitorCopy('exec-monitor');
    const before = hash(monitor);
    expect((await berth(t, ['run', '-d', '--name', 'victim', 'bb', 'sleep', '1000'])).exitCode).toBe(0);
    // the container prepares a program whose interpreter is /proc/self/exe, named so that the
    // monitor's main() takes it for `init` and keeps running (its child sleeps)
    const prep = await berth(t, [
      'exec',
      'victim',
      'sh',
      '-c',
      'ln -s /proc/self/exe /tmp/init && printf "#!/bin/sh\\nexec sleep 1000\\n" > /blocker && ' +
        'printf "#!/tmp/init /blocker\\n" > /evil && chmod +x /blocker /evil',
    ]);
    expect(prep.exitCode).toBe(0);
    // the administrator runs it with `exec` (detached, so only the program itself runs the binary)
    const run = await berth(t, ['exec', '-d', 'victim', '/evil'], { env: { BERTH_MONITOR: monitor } });
    expect(run.exitCode).toBe(0);
    // the container holds the program's /proc/<pid>/exe, waits for it to exit, and reopens it for writing
    const attack = await berth(t, [
      'exec',
      'victim',
      'sh',
      '-c',
      [
        'pid=""',
        'for i in $(seq 1 100); do',
        '  for p in /proc/[0-9]*; do',
        '    [ "$(tr "\\0" " " < $p/cmdline 2>/dev/null)" = "/tmp/init /blocker /evil " ] && pid=${p#/proc/}',
        '  done',
        '  [ -n "$pid" ] && break; sleep 0.1',
        'done',
        '[ -n "$pid" ] || { echo no-target; exit 1; }',
        'exec 3< /proc/$pid/exe || { echo cannot-open; exit 1; }',
        'kill -9 $pid',
        'for i in $(seq 1 100); do grep -q "^State:.*Z" /proc/$pid/status 2>/dev/null || [ ! -d /proc/$pid ] && break; sleep 0.05; done',
        'if (exec 4> /proc/self/fd/3 && echo pwned >&4); then echo WROTE; else echo refused; fi',
      ].join('\n'),
    ]);
    expect(attack.stdout).not.toContain('no-target');
    expect(attack.stdout).toContain('refused');
    expect(hash(monitor)).toBe(before);
  });

  it('run: a #!/proc/self/exe entrypoint does not reach the monitor binary (the container runs a sealed copy)', async () => {
    const monitor = monitorCopy('run-monitor');
    const st = statSync(monitor);
    // an image whose command's interpreter is /proc/self/exe: its pid 1 becomes whatever that is at exec
    const dir = join(t.base, 'run-evil');
    mkdirSync(dir, { recursive: true });
    symlinkSync('/proc/self/exe', join(dir, 'init'));
    writeFileSync(join(dir, 'report'), '#!/bin/sh\nstat -L -c "%d:%i" /proc/1/exe\nkill -9 1\n', { mode: 0o755 });
    writeFileSync(join(dir, 'evil'), '#!/x/init /x/report\n', { mode: 0o755 });
    const r = await berth(t, ['run', '--rm', '-v', `${dir}:/x:ro`, 'bb', '/x/evil'], {
      env: { BERTH_MONITOR: monitor },
    });
    const reached = r.stdout.trim();
    expect(reached).toMatch(/^\d+:\d+$/);
    // what pid 1 runs, and the container can open through /proc/1/exe, is never the monitor's file
    expect(reached).not.toBe(`${st.dev}:${st.ino}`);
  });

  it('--init: /dev/init (the monitor binary) is read-only to the container', async () => {
    const monitor = monitorCopy('init-monitor');
    const before = hash(monitor);
    const r = await berth(
      t,
      [
        'run',
        '--rm',
        '--init',
        'bb',
        'sh',
        '-c',
        '(echo x >> /dev/init) 2>/dev/null && echo init-writable; (exec 3<> /proc/1/exe) 2>/dev/null && echo exe-writable; ' +
          'mount -o remount,rw /dev/init 2>/dev/null && echo remounted; grep " /dev/init " /proc/self/mountinfo | cut -d" " -f6',
      ],
      { env: { BERTH_MONITOR: monitor } },
    );
    expect(r.stdout).not.toMatch(/writable|remounted/);
    expect(r.stdout.trim()).toMatch(/^ro,/);
    expect(hash(monitor)).toBe(before);
  });
});
