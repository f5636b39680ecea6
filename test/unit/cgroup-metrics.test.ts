/** Cgroup metrics: layout detection, file selection and parsing on files recorded from a v1 host and written for v2. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { metricFiles, parseRaw, type MetricKey } from '../../src/engine/cgroup/files.js';
import { layoutFrom, type CgroupLayout } from '../../src/engine/cgroup/hierarchy.js';
import {
  blkioV1,
  cpuPercent,
  field,
  ioStatV2,
  memTotal,
  memoryUsed,
  netDev,
  procStat,
  single,
  v1Limit,
} from '../../src/engine/cgroup/parse.js';
import { ContainerReader, PreadFile } from '../../src/engine/cgroup/reader.js';
import { effectiveLimit, toStatsSample, type Reading } from '../../src/engine/stats/sample.js';

const DATA = resolve(fileURLToPath(new URL('.', import.meta.url)), 'data');
const text = (...p: string[]) => readFileSync(join(DATA, ...p), 'utf8');
const MiB = 1024 * 1024;

/** A layout whose hierarchies are the recorded directories, so that the real reader reads them. */
const recordedV1: CgroupLayout = {
  v2: false,
  controllers: new Map(['cpuacct', 'memory', 'pids', 'blkio'].map((c) => [c, join(DATA, 'cgroup-v1')])),
  unified: '',
};
const recordedV2: CgroupLayout = { v2: true, controllers: new Map(), unified: join(DATA, 'cgroup-v2') };

describe('layout', () => {
  it('this host: v1 controllers, with an empty cgroup2 mount beside them (hybrid)', () => {
    const l = layoutFrom(text('proc', 'mountinfo-hybrid'), false);
    expect(l.v2).toBe(false);
    expect(l.unified).toBe('/sys/fs/cgroup/unified');
    expect(l.controllers.get('cpuacct')).toBe('/sys/fs/cgroup/cpuacct');
    expect(l.controllers.get('memory')).toBe('/sys/fs/cgroup/memory');
    expect(l.controllers.has('name=systemd')).toBe(false);
    expect(metricFiles(l, '/berth/abc')).toEqual({
      v2: false,
      cpu: '/sys/fs/cgroup/cpuacct/berth/abc/cpuacct.usage',
      memUsage: '/sys/fs/cgroup/memory/berth/abc/memory.usage_in_bytes',
      memStat: '/sys/fs/cgroup/memory/berth/abc/memory.stat',
      memLimit: '/sys/fs/cgroup/memory/berth/abc/memory.limit_in_bytes',
      memEvents: '/sys/fs/cgroup/memory/berth/abc/memory.failcnt',
      oomControl: '/sys/fs/cgroup/memory/berth/abc/memory.oom_control',
      pidsCurrent: '/sys/fs/cgroup/pids/berth/abc/pids.current',
      pidsMax: '/sys/fs/cgroup/pids/berth/abc/pids.max',
      io: '/sys/fs/cgroup/blkio/berth/abc/blkio.throttle.io_service_bytes_recursive',
    });
  });

  it('v1 with cpu and cpuacct mounted together (systemd hosts)', () => {
    const l = layoutFrom(text('proc', 'mountinfo-v1'), false);
    expect(l.unified).toBe('');
    expect(l.controllers.get('cpu')).toBe('/sys/fs/cgroup/cpu,cpuacct');
    expect(metricFiles(l, '/berth/abc').cpu).toBe('/sys/fs/cgroup/cpu,cpuacct/berth/abc/cpuacct.usage');
    expect(metricFiles(l, '/berth/abc').io).toBe(
      '/sys/fs/cgroup/blkio/berth/abc/blkio.throttle.io_service_bytes_recursive',
    );
  });

  it('v2: every file in the one directory of the unified hierarchy', () => {
    const l = layoutFrom(text('proc', 'mountinfo-v2'), true);
    expect(l.v2).toBe(true);
    const d = '/sys/fs/cgroup/berth/abc';
    expect(metricFiles(l, '/berth/abc')).toEqual({
      v2: true,
      cpu: `${d}/cpu.stat`,
      memUsage: `${d}/memory.current`,
      memStat: `${d}/memory.stat`,
      memLimit: `${d}/memory.max`,
      memEvents: `${d}/memory.events`,
      oomControl: null,
      pidsCurrent: `${d}/pids.current`,
      pidsMax: `${d}/pids.max`,
      io: `${d}/io.stat`,
    });
  });

  it('a controller that is not mounted has no file', () => {
    const l = layoutFrom(text('proc', 'mountinfo-v1').replace(/^.*rw,pids\n/m, ''), false);
    expect(metricFiles(l, '/x').pidsCurrent).toBeNull();
    expect(parseRaw(false, () => null)).toMatchObject({ pids: 0, pidsLimit: null, memLimit: null, cpuNs: 0 });
  });
});

describe('parsers', () => {
  it('single values, "max" and v1 no-limit', () => {
    expect(single('4\n')).toBe(4);
    expect(single('max\n')).toBeNull();
    expect(v1Limit('9223372036854771712\n')).toBeNull();
    expect(v1Limit('67108864\n')).toBe(64 * MiB);
  });

  it('one field of a key-value file, never a longer key that ends the same', () => {
    const stat = text('cgroup-v1', 'memory.stat');
    expect(field(stat, 'total_inactive_file')).toBe(4096);
    expect(field(stat, 'inactive_file')).toBe(4096);
    expect(field(stat, 'cache')).toBe(69632); // the first line
    expect(field(stat, 'total_unevictable')).toBe(0); // the last line
    expect(field(stat, 'nosuch')).toBe(0);
    expect(field('file 1\nactive_file 7\n', 'active_file')).toBe(7);
    expect(field('active_file 7\nfile 1\n', 'file')).toBe(1);
  });

  it('v1 blkio: Read and Write summed over devices, Sync/Async/Total ignored', () => {
    expect(blkioV1(text('cgroup-v1', 'blkio.throttle.io_service_bytes_recursive'))).toEqual({
      read: 3371008,
      write: 3276800,
    });
    expect(blkioV1('Total 0\n')).toEqual({ read: 0, write: 0 });
  });

  it('v2 io.stat: rbytes and wbytes summed over devices', () => {
    expect(ioStatV2(text('cgroup-v2', 'io.stat'))).toEqual({ read: 1458176 + 4096, write: 36864000 });
    expect(ioStatV2('')).toEqual({ read: 0, write: 0 });
  });

  it('/proc/stat: system time of the first seven fields in ns, online CPUs', () => {
    expect(procStat(text('cgroup-v1', 'proc-stat'))).toEqual({
      systemNs: (144093 + 61963 + 1635629 + 5120 + 4469) * 1e7,
      onlineCpus: 2,
    });
  });

  it('/proc/meminfo MemTotal in bytes', () => {
    expect(memTotal(text('proc', 'meminfo'))).toBe(24684084 * 1024);
  });

  it('net/dev: loopback excluded, bytes and packets of the other interfaces', () => {
    expect(netDev(text('cgroup-v1', 'net-dev'))).toEqual({ rxBytes: 0, rxPackets: 0, txBytes: 0, txPackets: 0 });
    expect(netDev(text('proc', 'net-dev-eth0'))).toEqual({ rxBytes: 942, rxPackets: 9, txBytes: 1012, txPackets: 10 });
    const two = text('proc', 'net-dev-eth0') + 'veth1234567890ab: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n';
    expect(netDev(two)).toEqual({ rxBytes: 1042, rxPackets: 10, txBytes: 1212, txPackets: 12 });
  });

  it("the docker CLI's formulas", () => {
    // 0.5 s of container CPU over 2 s of two CPUs' time, 2 CPUs online: 50 %
    expect(cpuPercent({ cpu: 1e9, system: 100e9 }, { cpu: 1.5e9, system: 102e9 }, 2)).toBe(50);
    expect(cpuPercent(null, { cpu: 1, system: 1 }, 2)).toBe(0);
    expect(cpuPercent({ cpu: 5, system: 5 }, { cpu: 5, system: 9 }, 2)).toBe(0);
    expect(memoryUsed(100, 30)).toBe(70);
    expect(memoryUsed(100, 300)).toBe(100);
  });
});

describe('the recorded files through the real reader', () => {
  it('v1 (recorded on this host)', () => {
    const r = new ContainerReader(metricFiles(recordedV1, '/'), 0, false);
    const s = r.sample();
    r.close();
    expect(s?.raw).toEqual({
      cpuNs: 73937091,
      memUsage: 421888,
      memInactiveFile: 4096,
      memLimit: 64 * MiB,
      memFailcnt: 0,
      oomKills: 0,
      pids: 1,
      pidsLimit: 50,
      blkRead: 3371008,
      blkWrite: 3276800,
    });
    expect(s?.net).toBeNull();
    expect(r.reads).toBe(9);
  });

  it('v2 (written from the kernel documentation)', () => {
    const r = new ContainerReader(metricFiles(recordedV2, '/'), 0, false);
    const s = r.sample();
    r.close();
    expect(s?.raw).toEqual({
      cpuNs: 2.5e9,
      memUsage: 51 * MiB,
      memInactiveFile: 10 * MiB,
      memLimit: 128 * MiB,
      memFailcnt: 3,
      oomKills: 1,
      pids: 4,
      pidsLimit: 100,
      blkRead: 1462272,
      blkWrite: 36864000,
    });
    expect(r.reads).toBe(8); // v2 has no separate oom_control
  });

  it('v2 without limits', () => {
    const t: Partial<Record<MetricKey, string>> = { memLimit: 'max\n', pidsMax: 'max\n', memUsage: '4096\n' };
    expect(parseRaw(true, (k) => t[k] ?? null)).toMatchObject({ memLimit: null, pidsLimit: null, memUsage: 4096 });
  });

  it('a file read again sees new contents (pread at offset 0 on the same descriptor)', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'berth-pread-'));
    const f = new PreadFile(join(dir, 'x'));
    expect(f.read()).toBeNull();
    expect(f.gone).toBe(true);
    writeFileSync(join(dir, 'x'), 'one\n');
    expect(f.read()).toBe('one\n');
    writeFileSync(join(dir, 'x'), 'second value\n');
    expect(f.read()).toBe('second value\n');
    writeFileSync(join(dir, 'x'), 'z'.repeat(200_000)); // beyond the shared buffer
    expect(f.read()).toHaveLength(200_000);
    f.close();
    rmSync(dir, { recursive: true });
  });
});

describe('samples', () => {
  const host = (systemNs: number) => ({ systemNs, onlineCpus: 2 });
  const reading = (raw: Partial<Reading['raw']>, systemNs: number, time: number): Reading => ({
    raw: {
      cpuNs: 0,
      memUsage: 0,
      memInactiveFile: 0,
      memLimit: null,
      memFailcnt: 0,
      oomKills: 0,
      pids: 0,
      pidsLimit: null,
      blkRead: 0,
      blkWrite: 0,
      ...raw,
    },
    net: null,
    host: host(systemNs),
    time,
  });

  it('the memory limit is capped at the host memory; unlimited is the host memory', () => {
    expect(effectiveLimit(null, 8 * 1024 * MiB)).toBe(8 * 1024 * MiB);
    expect(effectiveLimit(2 ** 62, 8 * 1024 * MiB)).toBe(8 * 1024 * MiB);
    expect(effectiveLimit(64 * MiB, 8 * 1024 * MiB)).toBe(64 * MiB);
  });

  it('a sample from two readings', () => {
    const prev = reading({ cpuNs: 1e9 }, 100e9, 1000);
    const cur = reading(
      {
        cpuNs: 1.25e9,
        memUsage: 51 * MiB,
        memInactiveFile: 10 * MiB,
        memLimit: 128 * MiB,
        pids: 4,
        pidsLimit: 100,
        blkRead: 7,
        blkWrite: 9,
      },
      102e9,
      2000,
    );
    const s = toStatsSample({ id: 'i', name: 'n' }, cur, prev, 1024 * MiB);
    expect(s).toMatchObject({
      id: 'i',
      name: 'n',
      time: 2000,
      cpuPercent: 25,
      cpuTotalNs: 1.25e9,
      systemNs: 102e9,
      onlineCpus: 2,
      memUsed: 41 * MiB,
      memLimit: 128 * MiB,
      memPercent: (41 / 128) * 100,
      pids: 4,
      pidsLimit: 100,
      blockRead: 7,
      blockWrite: 9,
      netRxBytes: 0,
      netTxPackets: 0,
    });
  });
});
