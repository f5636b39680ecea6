/**
 * Helpers for bench/load-save.mjs beyond bench-env.mjs: summaries, the file
 * system a directory lives on, a process's CPU, where a tree's inodes are (ext4
 * block groups), and the optional inode-allocation trace.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';
import { median, spread, timed } from './bench-env.mjs';

/** Median, spread (min, max, median absolute deviation in % of the median) and the values (seconds). */
export function summary(xs) {
  return { median: median(xs), ...spread(xs), values: xs };
}

export const load1 = () => os.loadavg()[0];

/**
 * The mount that holds dir (findmnt): source, type, options, and whether an
 * ext4 has a journal (the kernel lists each journaled device in
 * /proc/fs/jbd2; null when that cannot be told), with its size and inodes.
 */
export function fsInfo(dir) {
  const fsys = JSON.parse(
    execFileSync('findmnt', ['-J', '-o', 'TARGET,SOURCE,FSTYPE,OPTIONS,MAJ:MIN', '--target', dir], {
      encoding: 'utf8',
    }),
  ).filesystems[0];
  let journal = null;
  const device = fsys.source.replace(/\[.*\]$/, '');
  if (fsys.fstype === 'ext4' && existsSync('/proc/fs/jbd2')) {
    const name = device.replace(/^\/dev\//, '');
    journal = readdirSync('/proc/fs/jbd2').some((j) => j.startsWith(`${name}-`));
  }
  const s = execFileSync('df', ['-B1', '--output=size,used,iused,itotal', dir], { encoding: 'utf8' })
    .trim()
    .split('\n')[1]
    .trim()
    .split(/\s+/)
    .map(Number);
  return {
    mountPoint: fsys.target,
    device,
    fstype: fsys.fstype,
    options: fsys.options,
    journal,
    bytes: s[0],
    bytesUsed: s[1],
    inodesUsed: s[2],
    inodes: s[3],
  };
}

/** The lsattr flags of a directory ("" when lsattr cannot tell). */
export function attrs(dir) {
  const r = spawnSync('lsattr', ['-d', dir], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split(/\s+/)[0] : '';
}

/**
 * Inodes per ext4 block group of the file system dir is on, for grouping
 * inode numbers: from tune2fs when the device can be read, otherwise the
 * mke2fs default for 4 KiB blocks (8192), said so in `source`.
 */
export function inodesPerGroup(device) {
  const r = spawnSync('tune2fs', ['-l', device], { encoding: 'utf8' });
  const m = /^Inodes per group:\s+(\d+)/m.exec(r.stdout ?? '');
  return m
    ? { inodesPerGroup: Number(m[1]), source: 'tune2fs' }
    : { inodesPerGroup: 8192, source: 'assumed (mke2fs default)' };
}

/**
 * Optional evidence (--trace-inodes, needs perf): record ext4's inode
 * allocation tracepoints around fn (what fn returns is passed on, its
 * `seconds` preferred to the wall time measured here), then report the allocations whose inode
 * ended up under dir: how many, the mean and total time between
 * ext4_request_inode and ext4_allocate_inode of the same thread (the inode
 * allocator's own time, without the rest of the create), and the block groups
 * they went to (inode number - 1 over inodes per group), most used first.
 */
export function traceInodes(dir, work, ipg, fn) {
  const data = join(work, 'inode-trace.data');
  const rec = spawn(
    'perf',
    ['record', '-q', '-a', '-e', 'ext4:ext4_request_inode', '-e', 'ext4:ext4_allocate_inode', '-o', data],
    { stdio: 'ignore' },
  );
  spawnSync('sleep', ['1']); // perf needs a moment before it records
  let res;
  const wall = timed(() => {
    res = fn();
  });
  rec.kill('SIGINT');
  // perf is this process's child: it stays a zombie until the event loop reaps it, so wait for that state
  spawnSync('sh', [
    '-c',
    `while [ -e /proc/${rec.pid} ] && [ "$(cut -d' ' -f3 /proc/${rec.pid}/stat)" != Z ]; do sleep 0.1; done`,
  ]);
  const ours = new Set(
    execFileSync('find', [dir, '-xdev', '-printf', '%i\\n'], { encoding: 'utf8', maxBuffer: 1 << 28 })
      .split('\n')
      .filter(Boolean),
  );
  const text = execFileSync('perf', ['script', '-i', data, '-F', 'tid,time,event,trace'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  rmSync(data, { force: true });
  const asked = new Map();
  const groups = new Map();
  let n = 0;
  let total = 0;
  let slow = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+([\d.]+):\s+ext4:(ext4_request_inode|ext4_allocate_inode):.*?(?:ino (\d+))?\s+dir/.exec(
      line,
    );
    if (!m) continue;
    const [, tid, time, event, ino] = m;
    if (event === 'ext4_request_inode') asked.set(tid, Number(time));
    else if (asked.has(tid)) {
      const dt = Number(time) - asked.get(tid);
      asked.delete(tid);
      if (!ours.has(ino)) continue;
      n++;
      total += dt;
      if (dt > 100e-6) slow++;
      const g = Math.floor((Number(ino) - 1) / ipg);
      const e = groups.get(g) ?? { group: g, inodes: 0, seconds: 0 };
      e.inodes++;
      e.seconds += dt;
      groups.set(g, e);
    }
  }
  return {
    seconds: wall,
    ...(res && typeof res === 'object' ? res : {}),
    inodeAllocation: {
      inodes: n,
      totalSeconds: total,
      meanMicroseconds: n ? (1e6 * total) / n : 0,
      over100us: slow,
      groups: [...groups.values()]
        .sort((a, b) => b.inodes - a.inodes)
        .slice(0, 10)
        .map((e) => ({ group: e.group, inodes: e.inodes, meanMicroseconds: Math.round((1e6 * e.seconds) / e.inodes) })),
    },
  };
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user, system) a process and the children it has waited for have used so far, from /proc/<pid>/stat. */
export function processCpu(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields 14-17 of stat(5): utime stime cutime cstime; f[0] is field 3
  const [ut, st, cut, cst] = [f[11], f[12], f[13], f[14]].map(Number);
  return { user: (ut + cut) / CLK_TCK, system: (st + cst) / CLK_TCK };
}

/** How many of the inodes under dir are in each ext4 block group (inode number - 1 over inodes per group). */
export function treeGroups(dir, ipg) {
  const groups = new Map();
  const out = execFileSync('find', [dir, '-xdev', '-printf', '%i\\n'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  for (const ino of out.split('\n')) {
    if (!ino) continue;
    const g = Math.floor((Number(ino) - 1) / ipg);
    groups.set(g, (groups.get(g) ?? 0) + 1);
  }
  return groups;
}
