/** Live metrics of real containers: CPU under a quota, memory and its limit, PIDs, block I/O, network. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, describeIf, itIf, skipReason } from '../helpers/env.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { afterGo, go, sampleWhere, samples, startDetached } from '../helpers/stats.js';

const reason = skipReason();
const MiB = 1024 * 1024;
const has = (tool: string) => ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(join(d, tool)));
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' });

describeIf(reason)('container metrics', () => {
  let e: TestEngine;
  let ctl: string;
  beforeAll(async () => {
    e = await testEngine();
    ctl = mkdtempSync(join(tmpdir(), 'berth-stats-ctl-'));
  });
  afterAll(async () => {
    await e?.close();
    rmSync(ctl, { recursive: true, force: true });
  });

  /** A fresh control directory for one container. */
  const ctlDir = (name: string) => {
    const d = join(ctl, name);
    mkdirSync(d);
    return d;
  };

  it('a container spinning under --cpus 0.5 reads about 50 %', async () => {
    // Beside it an unlimited spinner shows what a CPU hog gets on this (shared) machine right now.
    const limited = await startDetached(e.b, ['sh', '-c', 'while :; do :; done'], { cpus: '0.5' });
    const free = await startDetached(e.b, ['sh', '-c', 'while :; do :; done']);
    const [a, u] = await Promise.all([samples(e.b, limited.id, 6), samples(e.b, free.id, 6)]);
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    const limitedMean = mean(a.map((s) => s.cpuPercent));
    // The quota is a hard cap: 50 ms per 100 ms period, so one second holds at most 10-11
    // periods' worth (55 %) whatever the load; allow sampling skew on top.
    for (const s of a) expect(s.cpuPercent).toBeLessThanOrEqual(60);
    // Below the cap it gets what any hog gets: near 50 on an idle machine, less only
    // when the hogs beside it get little too.
    expect(limitedMean).toBeGreaterThanOrEqual(Math.min(40, 0.6 * mean(u.map((s) => s.cpuPercent))));
    expect(a.every((s) => s.onlineCpus > 0 && s.cpuTotalNs > 0 && s.systemNs > 0)).toBe(true);
    await Promise.all([
      e.b.removeContainer(limited.id, { force: true }),
      e.b.removeContainer(free.id, { force: true }),
    ]);
  });

  it('-m 64m: a limit of 64MiB, and usage that grows when the container allocates', async () => {
    const d = ctlDir('mem');
    const c = await startDetached(e.b, afterGo('dd if=/dev/zero of=/dev/shm/fill bs=1M count=24'), {
      memory: '64m',
      volumes: [`${d}:/ctl`],
    });
    const [before] = await samples(e.b, c.id, 1);
    expect(before!.memLimit).toBe(64 * MiB);
    expect(before!.memUsed).toBeLessThan(16 * MiB);
    go(d);
    const after = await sampleWhere(e.b, c.id, (s) => s.memUsed >= before!.memUsed + 20 * MiB);
    expect(after.memUsed).toBeLessThan(48 * MiB);
    expect(after.memPercent).toBeCloseTo((after.memUsed / (64 * MiB)) * 100, 10);
  });

  it('no memory limit: the host memory is the limit', async () => {
    const c = await startDetached(e.b, ['sleep', '1000']);
    const [s] = await samples(e.b, c.id, 1);
    const hostKiB = Number(
      /^MemTotal:\s+(\d+)/m.exec((await import('node:fs')).readFileSync('/proc/meminfo', 'utf8'))![1],
    );
    expect(s!.memLimit).toBe(hostKiB * 1024);
  });

  it('PIDs count the processes, with the pids limit', async () => {
    const c = await startDetached(e.b, ['sh', '-c', 'sleep 1000 & sleep 1000 & sleep 1000 & wait'], { pidsLimit: 50 });
    const s = await sampleWhere(e.b, c.id, (x) => x.pids === 4);
    expect(s.pidsLimit).toBe(50);
    const [unlimited] = await samples(e.b, (await startDetached(e.b, ['sleep', '1000'])).id, 1);
    expect([unlimited!.pids, unlimited!.pidsLimit]).toEqual([1, null]);
  });

  it('block I/O grows with direct and synced writes, and direct reads', async () => {
    const d = ctlDir('blk');
    const c = await startDetached(
      e.b,
      afterGo(
        'dd if=/dev/zero of=/big bs=1M count=8 oflag=direct; dd if=/dev/zero of=/synced bs=1M count=4 conv=fsync; dd if=/big of=/dev/null bs=1M iflag=direct',
      ),
      { volumes: [`${d}:/ctl`] },
    );
    const [before] = await samples(e.b, c.id, 1);
    go(d);
    const after = await sampleWhere(
      e.b,
      c.id,
      (s) => s.blockWrite >= before!.blockWrite + 12 * MiB && s.blockRead >= before!.blockRead + 8 * MiB,
    );
    expect(after.blockWrite - before!.blockWrite).toBeLessThan(64 * MiB);
  });

  itIf(has('losetup') && has('mkfs.ext4') ? null : 'needs losetup and mkfs.ext4')(
    'block I/O on a disk no container used before (a new loop device) is counted',
    async () => {
      // Kernels from 6.9 count a disk's I/O in cgroup v1 only once a throttle rule was
      // written for that disk; the monitor writes one. A loop device berth never saw.
      let n = 200;
      while (existsSync(`/sys/block/loop${n}/loop/backing_file`)) n++;
      const img = join(ctl, 'disk.img');
      const mnt = ctlDir('disk');
      writeFileSync(img, '');
      sh('truncate', ['-s', '48M', img]);
      sh('mkfs.ext4', ['-q', img]);
      sh('losetup', [`/dev/loop${n}`, img]);
      try {
        sh('mount', [`/dev/loop${n}`, mnt]);
        try {
          const d = ctlDir('loopctl');
          const c = await startDetached(e.b, afterGo('dd if=/dev/zero of=/disk/f bs=1M count=6 oflag=direct'), {
            volumes: [`${d}:/ctl`, `${mnt}:/disk`],
          });
          const [before] = await samples(e.b, c.id, 1);
          go(d);
          await sampleWhere(e.b, c.id, (s) => s.blockWrite >= before!.blockWrite + 6 * MiB);
          await e.b.removeContainer(c.id, { force: true });
        } finally {
          sh('umount', [mnt]);
        }
      } finally {
        sh('losetup', ['-d', `/dev/loop${n}`]);
      }
    },
  );

  itIf(has('ip') && has('nsenter') ? null : 'needs ip and nsenter')(
    "network: bytes and packets of the container's own interfaces (its bridge's veth), loopback left out",
    async () => {
      // real traffic on the default bridge: pings to the bridge's address, bracketed by the interface's counters
      const c = await startDetached(e.b, ['sleep', '1000']);
      const gw = ((await e.b.inspectContainer(c.id)) as { NetworkSettings: { Gateway: string } }).NetworkSettings
        .Gateway;
      const ping = await berth(e.t, ['exec', c.id, 'busybox', 'ping', '-c', '3', '-s', '1000', gw]);
      expect(ping.stdout).toContain('3 packets transmitted, 3 packets received');
      await berth(e.t, ['exec', c.id, 'busybox', 'ping', '-c', '5', '-s', '1000', '127.0.0.1']); // ~10 kB on lo
      const inCtr = (args: string[]) => sh('nsenter', ['-t', String(c.pid), '-n', 'ip', ...args]);
      const counters = () => {
        const link = JSON.parse(inCtr(['-s', '-j', 'link', 'show', 'dev', 'eth0']))[0].stats64;
        return {
          rxBytes: link.rx.bytes,
          rxPackets: link.rx.packets,
          txBytes: link.tx.bytes,
          txPackets: link.tx.packets,
        };
      };
      // The kernel may send neighbour or multicast packets at any time: bracket the sample.
      const lo = counters();
      const t = Date.now();
      const s = await sampleWhere(e.b, c.id, (x) => x.time >= t);
      const hi = counters();
      for (const k of ['rxBytes', 'rxPackets', 'txBytes', 'txPackets'] as const) {
        const got = {
          rxBytes: s.netRxBytes,
          rxPackets: s.netRxPackets,
          txBytes: s.netTxBytes,
          txPackets: s.netTxPackets,
        }[k];
        expect(got, k).toBeGreaterThanOrEqual(lo[k]);
        expect(got, k).toBeLessThanOrEqual(hi[k]);
      }
      // three pings of 1 kB each way (the ~10 kB on loopback are not in eth0's counters the sample matched)
      expect(s.netRxBytes).toBeGreaterThanOrEqual(3 * 1000);
      expect(s.netTxBytes).toBeGreaterThanOrEqual(3 * 1000);
    },
  );

  it('host networking counts no traffic, as docker', async () => {
    const c = await startDetached(e.b, ['sleep', '1000'], { network: 'host' });
    const [s] = await samples(e.b, c.id, 1);
    expect([s!.netRxBytes, s!.netTxBytes, s!.netRxPackets, s!.netTxPackets]).toEqual([0, 0, 0, 0]);
  });
});
