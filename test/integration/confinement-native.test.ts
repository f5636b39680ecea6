/**
 * Container confinement enforced by the native monitor (issue 13; README
 * "Container confinement (native)"): each test plays the attacker, a container
 * or an image trying to reach the host, and fails without the rule it guards.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { execa } from 'execa';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { imageArchive, tarBuffer } from '../helpers/archives.js';
import { CLI, REPO, berth, describeIf, fixture, itIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';

const reason = skipReason();
const straceMissing =
  spawnSync('strace', ['-V']).status === 0 ? null : 'strace is not installed (scripts/peers.sh installs it)';
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
  /** Run the CLI inside a private mount namespace after `setup` (sh) made mounts there: the host never sees them. */
  async function inPrivateMounts(setup: string, args: string[], env: Record<string, string> = {}) {
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const r = await execa(
      'unshare',
      ['-m', '--propagation', 'private', 'sh', '-ec', `${setup}\nexec node ${CLI} ${quoted}`],
      {
        env: { ...process.env, ...t.env, NO_COLOR: '1', ...env },
        reject: false,
      },
    );
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  it("--network host: /sys is a fresh read-only sysfs, without the host's securityfs, debugfs, tracefs, bpffs", async () => {
    // the host has them mounted under /sys (here in a private namespace, as a host would)
    const setup = [
      'for m in "debugfs /sys/kernel/debug" "tracefs /sys/kernel/tracing" "securityfs /sys/kernel/security" "bpf /sys/fs/bpf" "configfs /sys/kernel/config"; do',
      '  set -- $m; grep -qw "$1" /proc/filesystems && [ -d "$2" ] && mount -t "$1" "$1" "$2" 2>/dev/null || true',
      'done',
      'grep -cE " - (debugfs|tracefs|securityfs|bpf) " /proc/self/mountinfo >&2',
    ].join('\n');
    const r = await inPrivateMounts(setup, [
      'run',
      '--rm',
      '--network',
      'host',
      'bb',
      'sh',
      '-c',
      'grep -cE " - (debugfs|tracefs|securityfs|bpf|configfs) " /proc/self/mountinfo; ' +
        'awk \'$5 == "/sys" { print $6 }\' /proc/self/mountinfo; ' +
        'mkdir /sys/fs/bpf/probe 2>/dev/null && echo bpffs-writable; touch /sys/kernel/debug/probe 2>/dev/null && echo debugfs-writable; ' +
        'ls /sys/class/net | tr "\\n" " "',
    ]);
    expect(Number(r.stderr.trim().split('\n')[0])).toBeGreaterThan(0); // the host side did have them
    const [count, sysOpts, ...rest] = r.stdout.split('\n');
    expect(count).toBe('0');
    expect(sysOpts).toMatch(/^ro,/);
    expect(rest.join('\n')).not.toMatch(/writable/);
    // a fresh sysfs in the host's network namespace shows the host's interfaces
    const hostNet = readdirSync('/sys/class/net').sort().join(' ');
    expect(rest.join('').trim().split(' ').sort().join(' ')).toBe(hostNet);
  });

  it('-v SRC:DST:ro: submounts are read-only too, and the source keeps its nosuid and nodev', async () => {
    const src = join(t.base, 'bindsrc');
    mkdirSync(src, { recursive: true });
    const setup = [
      `mount -t tmpfs -o nosuid,nodev tmpfs ${src}`,
      `mkdir ${src}/sub && mount -t tmpfs tmpfs ${src}/sub`,
      // a device the device rules allow: only nodev stops it from opening
      `mknod -m 666 ${src}/null c 1 3`,
    ].join('\n');
    const r = await inPrivateMounts(setup, [
      'run',
      '--rm',
      '-v',
      `${src}:/x:ro`,
      'bb',
      'sh',
      '-c',
      'touch /x/f 2>/dev/null && echo top-writable; touch /x/sub/f 2>/dev/null && echo sub-writable; ' +
        '(echo hi > /x/null) 2>/dev/null && echo device-opened; ' +
        'awk \'$5 == "/x" || $5 == "/x/sub" { print $6 }\' /proc/self/mountinfo',
    ]);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines.filter((l) => /writable|opened/.test(l))).toEqual([]);
    expect(lines[0]!.split(',')).toEqual(expect.arrayContaining(['ro', 'nosuid', 'nodev']));
    expect(lines[1]!.split(',')).toContain('ro');
  });

  it("an image's 0666 device node does not open, even for a non-root user without capabilities", async () => {
    // bb's layers plus one holding a world-writable device node that the device rules allow (1:3)
    const dir = join(t.base, 'bb-save');
    mkdirSync(dir, { recursive: true });
    expect((await berth(t, ['save', '-o', join(dir, 'bb.tar'), 'bb'])).exitCode).toBe(0);
    await execa('tar', ['-xf', join(dir, 'bb.tar'), '-C', dir]);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    const layers = manifest[0]!.Layers.map((l) => readFileSync(join(dir, l)));
    const dev = await tarBuffer([
      { h: { name: 'evil', type: 'char', mode: 0o666, devmajor: 1, devminor: 3 } },
      { h: { name: 'etc/', type: 'dir' } },
    ]);
    const archive = join(dir, 'evil.tar');
    writeFileSync(archive, await imageArchive([...layers, dev], { tag: 'evil/devnode:1' }));
    expect((await berth(t, ['load', '-q', '-i', archive])).exitCode).toBe(0);
    const r = await berth(t, [
      'run',
      '--rm',
      '--user',
      '1000:1000',
      '--cap-drop',
      'ALL',
      'evil/devnode:1',
      'sh',
      '-c',
      'ls -l /evil | cut -c1-10; (echo x > /evil) 2>&1 && echo opened; (echo x > /dev/null) && echo dev-null-works',
    ]);
    const out = r.stdout.split('\n');
    expect(out[0]).toBe('crw-rw-rw-');
    expect(r.stdout).not.toContain('opened');
    expect(r.stdout).toMatch(/Permission denied/);
    expect(r.stdout).toContain('dev-null-works');
    // --privileged relaxes it, as docker's privileged containers use device nodes anywhere
    const p = await berth(t, [
      'run',
      '--rm',
      '--privileged',
      'evil/devnode:1',
      'sh',
      '-c',
      'echo x > /evil && echo opened',
    ]);
    expect(p.stdout).toBe('opened\n');
  });

  itIf(straceMissing)(
    "a container racing on a shared volume cannot move another container's mount out of its root",
    async () => {
      // the mount under the volume is slowed down (strace delays the bind's mount(2) by a second): the racer sees
      // the mount point made, puts the directory aside and a symlink to / in its place before the mount happens
      const src = join(t.base, 'race-src');
      mkdirSync(src, { recursive: true });
      writeFileSync(join(src, 'marker'), 'inside\n');
      const wrapper = join(t.base, 'race-monitor');
      // (the tracer outlives `create`, so it must not hold the engine's pipes: create's output goes through files)
      writeFileSync(
        wrapper,
        [
          '#!/bin/sh',
          'd=$(mktemp -d)',
          `strace -D -f -qq -o /dev/null -P '${src}' -e trace=mount -e inject=mount:delay_enter=1000000 '${join(BUILD, 'berth-monitor')}' "$@" </dev/null >"$d/out" 2>"$d/err"`,
          'rc=$?; cat "$d/err" >&2; cat "$d/out"; rm -rf "$d"; exit $rc',
          '',
        ].join('\n'),
        { mode: 0o755 },
      );
      expect((await berth(t, ['volume', 'create', 'shared'])).exitCode).toBe(0);
      const racer = await berth(t, [
        'run',
        '-d',
        '--name',
        'racer',
        '-v',
        'shared:/data',
        'bb',
        'sh',
        '-c',
        'mkdir -p /data/sub; touch /data/ready; i=0; until [ -d /data/sub/mnt ] || [ $i -gt 2000000 ]; do i=$((i+1)); done; ' +
          'mv /data/sub /data/sub.orig && ln -s / /data/sub && touch /data/swapped; sleep 1000',
      ]);
      expect(racer.exitCode).toBe(0);
      const vol = JSON.parse((await berth(t, ['volume', 'inspect', 'shared'])).stdout)[0].Mountpoint as string;
      for (let i = 0; i < 200 && !existsSync(join(vol, 'ready')); i++) await new Promise((r) => setTimeout(r, 25));
      const r = await berth(
        t,
        [
          'run',
          '--rm',
          '-v',
          'shared:/data',
          '-v',
          `${src}:/data/sub/mnt:ro`,
          'bb',
          'sh',
          '-c',
          'cat /data/sub.orig/mnt/marker 2>/dev/null || cat /data/sub/mnt/marker 2>/dev/null || echo not-mounted-inside',
        ],
        { env: { BERTH_MONITOR: wrapper } },
      );
      // the bind is on the directory that was resolved (now /data/sub.orig/mnt), inside the container's root
      expect(r.stdout.trim()).toBe('inside');
      await berth(t, ['rm', '-f', 'racer']);
    },
  );
  it('/proc/interrupts is masked, and /proc/self/cgroup shows the container its own cgroups as "/"', async () => {
    expect((await berth(t, ['run', '-d', '--name', 'cgns', 'bb', 'sleep', '1000'])).exitCode).toBe(0);
    const probe = 'wc -c < /proc/interrupts; cut -d: -f3 /proc/self/cgroup | sort -u';
    const run = await berth(t, ['exec', 'cgns', 'sh', '-c', probe]);
    expect(run.stdout.split('\n').map((l) => l.trim())).toEqual(['0', '/', '']);
    // the host's view names the container's cgroup: that is what the container no longer sees
    const pid = JSON.parse((await berth(t, ['inspect', 'cgns'])).stdout)[0].State.Pid as number;
    expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toMatch(/berth/);
    await berth(t, ['rm', '-f', 'cgns']);
  });

  it("exec refuses a pid that now belongs to another process (it would join the host's namespaces)", async () => {
    expect(
      (await berth(t, ['run', '-d', '--name', 'reused', '--hostname', 'inside', 'bb', 'sleep', '1000'])).exitCode,
    ).toBe(0);
    const id = (await berth(t, ['inspect', '-f', '{{.Id}}', 'reused'])).stdout.trim();
    // the container's init "exited" and a host process got its pid: the monitor's state still names that pid
    const host = execa('sleep', ['100'], { reject: false });
    const stateFile = join(t.runroot, 'c', id.slice(0, 16), 'state.json');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(stateFile, JSON.stringify({ ...state, pid: host.pid }));
    try {
      const r = await berth(t, ['exec', 'reused', 'hostname']);
      expect(r.stdout).not.toBe(`${hostname()}\n`);
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(/not running/);
    } finally {
      host.kill();
      writeFileSync(stateFile, JSON.stringify(state));
      await berth(t, ['rm', '-f', 'reused']);
    }
  });
});
