/**
 * Device rules, played from inside real containers on both cgroup versions
 * (v1: this hybrid host's devices controller; v2: the unified hierarchy bound
 * over /sys/fs/cgroup in a private mount namespace, so the monitor attaches its
 * eBPF program): root cannot mknod the host's disk (a loop device holding a
 * secret) and read it; an image's 0666 block node is closed to a non-root user
 * with --cap-drop ALL; --device and --privileged open what docker opens; and
 * rules that cannot be applied stop the container (fail closed).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berthOnV2, loopWithSecret, v2SkipReason, type LoopDevice } from '../helpers/hostile.js';
import { CLI, berth, describeIf, fixture, itIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';

const reason = skipReason();
const V1_DEVICES = '/sys/fs/cgroup/devices';

describeIf(reason)('device rules', () => {
  let t: TempRoot;
  let dir: string;
  let loop: LoopDevice;
  const versions = () =>
    [
      ['v1', (args: string[]) => berth(t, args)],
      ['v2', (args: string[]) => berthOnV2(t, args)],
    ] as const;

  beforeAll(async () => {
    t = tempRoot();
    dir = mkdtempSync(join(tmpdir(), 'berth-devices-'));
    loop = loopWithSecret(dir);
    expect((await berth(t, ['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(async () => {
    const ids = (await berth(t, ['ps', '-aq'])).stdout.trim();
    if (ids) await berth(t, ['rm', '-f', ...ids.split('\n')]);
    loop?.detach();
    t?.cleanup();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  itIf(v2SkipReason())("root cannot mknod the host's disk and read it (v1 and v2)", async () => {
    for (const [v, run] of versions()) {
      const r = await run([
        'run',
        '--rm',
        'bb',
        'sh',
        '-c',
        `mknod /dev/hostdisk b ${loop.major} ${loop.minor} && echo made; head -c 40 /dev/hostdisk; echo; echo x > /dev/hostdisk || echo write-denied`,
      ]);
      expect(r.stdout, v).toBe('made\n\nwrite-denied\n');
      expect(r.stdout + r.stderr, v).not.toContain(loop.secret);
      expect(r.stderr, v).toMatch(/head: \/dev\/hostdisk: Operation not permitted/);
    }
  });

  itIf(v2SkipReason())(
    "an image's 0666 block device stays closed to a non-root user with --cap-drop ALL (v1 and v2)",
    async () => {
      const mk = await berth(t, [
        'run',
        '--name',
        'mkevil',
        'bb',
        'sh',
        '-c',
        `mknod /evil b ${loop.major} ${loop.minor} && chmod 666 /evil`,
      ]);
      expect(mk.exitCode, mk.stderr).toBe(0);
      expect((await berth(t, ['commit', '-c', 'USER 65534', 'mkevil', 'evil:dev'])).exitCode).toBe(0);
      await berth(t, ['rm', 'mkevil']);
      for (const [v, run] of versions()) {
        const r = await run([
          'run',
          '--rm',
          '--cap-drop',
          'ALL',
          'evil:dev',
          'sh',
          '-c',
          'id -u; ls -l /evil; head -c 40 /evil',
        ]);
        expect(r.stdout, v).toMatch(/^65534\nbrw-rw-rw- .* \/evil\n$/);
        expect(r.stdout + r.stderr, v).not.toContain(loop.secret);
        // the root is mounted nodev (EACCES) and the device rules deny it too (EPERM): either stops it
        expect(r.stderr, v).toMatch(/Permission denied|Operation not permitted/);
        // the same node where no nodev applies (a bind mount of a host directory): the device rules alone
        const hostDir = join(dir, `evil-${v}`);
        await execa('sh', [
          '-c',
          `mkdir -p ${hostDir} && mknod ${hostDir}/evil b ${loop.major} ${loop.minor} && chmod 666 ${hostDir}/evil`,
        ]);
        const b = await run([
          'run',
          '--rm',
          '--cap-drop',
          'ALL',
          '-v',
          `${hostDir}:/h`,
          'evil:dev',
          'sh',
          '-c',
          'head -c 40 /h/evil',
        ]);
        expect(b.stdout + b.stderr, v).not.toContain(loop.secret);
        expect(b.stderr, v).toMatch(/Operation not permitted/);
      }
      await berth(t, ['rmi', 'evil:dev']);
    },
  );

  itIf(v2SkipReason())(
    '--device gives the node with its permissions; --privileged gives every device (v1 and v2)',
    async () => {
      for (const [v, run] of versions()) {
        const r = await run([
          'run',
          '--rm',
          '--device',
          `${loop.path}:/dev/xdisk:r`,
          'bb',
          'sh',
          '-c',
          `head -c ${loop.secret.length} /dev/xdisk; echo; echo x > /dev/xdisk || echo write-denied`,
        ]);
        expect(r.stdout, v).toBe(`${loop.secret}\nwrite-denied\n`);
        const p = await run([
          'run',
          '--rm',
          '--privileged',
          'bb',
          'sh',
          '-c',
          `head -c ${loop.secret.length} ${loop.path}`,
        ]);
        expect(p.stdout, v).toBe(loop.secret);
      }
    },
  );

  it("--device refuses what docker refuses, in docker's words", async () => {
    const cases: [string, RegExp][] = [
      [
        '/dev/nonexistent',
        /error gathering device information while adding custom device "\/dev\/nonexistent": no such file or directory/,
      ],
      [
        '/etc/passwd',
        /error gathering device information while adding custom device "\/etc\/passwd": not a device node/,
      ],
      ['/dev/null:/dev/a:rwx', /bad mode specified: rwx/],
      ['a:b:c:d', /bad format for path: a:b:c:d/],
      ['/dev/null:relative', /relative is not an absolute path/],
    ];
    for (const [spec, msg] of cases) {
      const r = await berth(t, ['run', '--rm', '--device', spec, 'bb', 'true']);
      expect(r.exitCode, spec).toBe(125);
      expect(r.stderr.split('\n')[0], spec).toMatch(msg);
    }
  });

  // a v1 host without the devices hierarchy (here: unmounted in a private mount namespace)
  itIf(v1Devices() ? null : 'no cgroup v1 devices controller on this host (native-confine covers the v2 failure)')(
    'without a devices controller the container does not start, rather than run unconfined (v1)',
    async () => {
      const r = await execa(
        'unshare',
        [
          ...['-m', '--propagation', 'private', 'sh', '-c', `umount ${V1_DEVICES} && exec "$@"`, 'sh'],
          ...['node', CLI, 'run', '--rm', 'bb', 'sh', '-c'],
          `mknod /dev/hostdisk b ${loop.major} ${loop.minor}; head -c ${loop.secret.length} /dev/hostdisk`,
        ],
        { env: { ...t.env, NO_COLOR: '1' }, reject: false },
      );
      expect(r.stdout).not.toContain(loop.secret);
      expect([r.exitCode, r.stderr]).toEqual([
        125,
        'Error: apply the device rules: the devices cgroup controller is not available',
      ]);
      expect((await berth(t, ['ps', '-aq'])).stdout).toBe('');
    },
  );
});

function v1Devices(): boolean {
  return existsSync(join(V1_DEVICES, 'devices.list'));
}
