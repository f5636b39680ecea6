/**
 * Reading one container's metric files cheaply: each file is opened once and
 * re-read with pread at offset 0 every sample (cgroup and proc files allow
 * it), so a sample costs a few system calls and no path lookups.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { blkioV1, ioStatV2, keyValues, memoryUsed, netDev, single, v1Limit } from './parse.js';
import { cgroupDir, cgroupLayout } from './hierarchy.js';

const buf = Buffer.alloc(64 * 1024);

export interface RawSample {
  cpuNs: number;
  memUsed: number;
  memLimit: number | null;
  memFailcnt: number;
  oomKills: number;
  pids: number;
  pidsLimit: number | null;
  blkRead: number;
  blkWrite: number;
  net: { rxBytes: number; rxPackets: number; txBytes: number; txPackets: number } | null;
}

/** Thrown when the cgroup is gone (the container stopped). */
export class CgroupGone extends Error {}

export class ContainerReader {
  private fds = new Map<string, number>();

  constructor(
    private readonly cgroupPath: string,
    private pid: number,
  ) {}

  private read(path: string, optional = false): string | null {
    let fd = this.fds.get(path);
    try {
      if (fd === undefined) {
        fd = openSync(path, 'r');
        this.fds.set(path, fd);
      }
      const n = readSync(fd, buf, 0, buf.length, 0);
      return buf.toString('latin1', 0, n);
    } catch (e) {
      if (fd !== undefined) {
        try {
          closeSync(fd);
        } catch {
          /* already closed */
        }
        this.fds.delete(path);
      }
      if (optional) return null;
      throw new CgroupGone((e as Error).message);
    }
  }

  private file(ctrl: string, name: string): string {
    return join(cgroupDir(this.cgroupPath, ctrl) ?? '/nonexistent', name);
  }

  setPid(pid: number): void {
    if (pid === this.pid) return;
    const old = `/proc/${this.pid}/net/dev`;
    const fd = this.fds.get(old);
    if (fd !== undefined) closeSync(fd);
    this.fds.delete(old);
    this.pid = pid;
  }

  sample(): RawSample {
    const v2 = cgroupLayout().v2;
    const netText = this.pid ? this.read(`/proc/${this.pid}/net/dev`, true) : null;
    const net = netText ? netDev(netText) : null;
    if (v2) {
      const cpu = keyValues(this.read(this.file('cpu', 'cpu.stat'))!);
      const stat = keyValues(this.read(this.file('memory', 'memory.stat'))!);
      const events = keyValues(this.read(this.file('memory', 'memory.events'), true) ?? '');
      const io = ioStatV2(this.read(this.file('io', 'io.stat'), true) ?? '');
      return {
        cpuNs: (cpu.get('usage_usec') ?? 0) * 1000,
        memUsed: memoryUsed(single(this.read(this.file('memory', 'memory.current'))!) ?? 0, stat.get('inactive_file') ?? 0),
        memLimit: single(this.read(this.file('memory', 'memory.max'), true) ?? 'max'),
        memFailcnt: events.get('max') ?? 0,
        oomKills: events.get('oom_kill') ?? 0,
        pids: single(this.read(this.file('pids', 'pids.current'), true) ?? '0') ?? 0,
        pidsLimit: single(this.read(this.file('pids', 'pids.max'), true) ?? 'max'),
        blkRead: io.read,
        blkWrite: io.write,
        net,
      };
    }
    const stat = keyValues(this.read(this.file('memory', 'memory.stat'))!);
    const blk = blkioV1(this.read(this.file('blkio', 'blkio.throttle.io_service_bytes_recursive'), true) ?? '');
    return {
      cpuNs: single(this.read(this.file('cpuacct', 'cpuacct.usage'))!) ?? 0,
      memUsed: memoryUsed(single(this.read(this.file('memory', 'memory.usage_in_bytes'))!) ?? 0, stat.get('total_inactive_file') ?? 0),
      memLimit: v1Limit(this.read(this.file('memory', 'memory.limit_in_bytes'))!),
      memFailcnt: single(this.read(this.file('memory', 'memory.failcnt'), true) ?? '0') ?? 0,
      oomKills: keyValues(this.read(this.file('memory', 'memory.oom_control'), true) ?? '').get('oom_kill') ?? 0,
      pids: single(this.read(this.file('pids', 'pids.current'), true) ?? '0') ?? 0,
      pidsLimit: single(this.read(this.file('pids', 'pids.max'), true) ?? 'max'),
      blkRead: blk.read,
      blkWrite: blk.write,
      net,
    };
  }

  close(): void {
    for (const fd of this.fds.values()) {
      try {
        closeSync(fd);
      } catch {
        /* ignore */
      }
    }
    this.fds.clear();
  }
}
