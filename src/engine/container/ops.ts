/** logs, top, exec, attach and update of a container. */
import { execFile } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { promisify } from 'node:util';
import { cgroupPids, updateResources } from '../cgroup/control.js';
import { containerCgroupPath } from '../cgroup/hierarchy.js';
import { BerthError, invalidArg, wrongState } from '../errors.js';
import { readLogs } from '../logs/reader.js';
import { monitorPath } from '../native.js';
import { containerPaths } from '../runtime/container-fs.js';
import { readLayeredFile } from '../runtime/layered-path.js';
import { execArgs, monitorAttach, monitorPolicy, readMonitorState, type AttachSession } from '../runtime/monitor.js';
import { resolveUser } from '../runtime/user.js';
import type { Store } from '../store/store.js';
import type { ExecOptions, ExecPlan, LogLine, LogOptions, TopResult, UpdateOptions } from '../types.js';
import { parseTimestampFilter } from '../util/time.js';
import { parseCpus, ramInBytes } from '../util/units.js';
import { containerDb, findContainer, isRunning, stateOf } from './records.js';
import { parseRestartPolicy, validateCpuset } from './options.js';
import { availableParallelism } from 'node:os';

export async function* containerLogs(store: Store, ref: string, o: LogOptions = {}): AsyncGenerator<LogLine> {
  const rec = findContainer(store, ref);
  if (rec.hostConfig.LogConfig.Type !== 'json-file') {
    throw new BerthError('NOT_SUPPORTED', `configured logging driver does not support reading`);
  }
  const sinceNs = o.since ? parseTimestampFilter(o.since) : undefined;
  const untilNs = o.until ? parseTimestampFilter(o.until) : undefined;
  // the monitor closes the log before it records the exit
  const finished = () => !isRunning(stateOf(store, rec));
  yield* readLogs(containerPaths(store.layout, rec.id).log, {
    ...(o.stdout !== undefined ? { stdout: o.stdout } : {}),
    ...(o.stderr !== undefined ? { stderr: o.stderr } : {}),
    ...(o.tail !== undefined ? { tail: o.tail } : {}),
    ...(sinceNs !== undefined ? { sinceNs } : {}),
    ...(untilNs !== undefined ? { untilNs } : {}),
    follow: !!o.follow && !finished(),
    finished,
    endDir: store.layout.containerRun(rec.id),
    ...(o.signal ? { signal: o.signal } : {}),
  });
}

// ---- top ---------------------------------------------------------------------

const clockTicks = 100; // USER_HZ on Linux
let bootTime = 0;

function hostUsers(): Map<number, string> {
  const m = new Map<number, string>();
  try {
    for (const l of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = l.split(':');
      if (f.length > 2) m.set(Number(f[2]), f[0]!);
    }
  } catch {
    /* numeric uids then */
  }
  return m;
}

function bootSeconds(): number {
  if (!bootTime) {
    const stat = readFileSync('/proc/stat', 'utf8');
    bootTime = Number(/^btime (\d+)/m.exec(stat)?.[1] ?? 0);
  }
  return bootTime;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function cpuTime(ticks: number): string {
  let s = Math.floor(ticks / clockTicks);
  const d = Math.floor(s / 86400);
  s %= 86400;
  const t = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor((s % 3600) / 60))}:${pad2(s % 60)}`;
  return d ? `${d}-${t}` : t;
}

/** One row of `ps -ef` for a host pid, read from /proc. */
export function psRow(pid: number, users: Map<number, string>, now = Date.now()): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(f[1]);
    const ttyNr = Number(f[4]);
    const utime = Number(f[11]);
    const stime = Number(f[12]);
    const start = Number(f[19]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
    const started = (bootSeconds() + start / clockTicks) * 1000;
    const elapsed = Math.max(1, (now - started) / 1000);
    const c = Math.floor(((utime + stime) / clockTicks / elapsed) * 100);
    const sd = new Date(started);
    const today = new Date(now).toDateString() === sd.toDateString();
    const stimeStr = today
      ? `${pad2(sd.getHours())}:${pad2(sd.getMinutes())}`
      : sd.toLocaleString('en-US', { month: 'short', day: '2-digit' }).replace(' ', '');
    let tty = '?';
    if (ttyNr) {
      try {
        tty = readlinkSync(`/proc/${pid}/fd/0`).replace(/^\/dev\//, '');
      } catch {
        tty = `pts/${ttyNr & 0xff}`;
      }
    }
    return [
      users.get(uid) ?? String(uid),
      String(pid),
      String(ppid),
      String(c),
      stimeStr,
      tty,
      cpuTime(utime + stime),
      cmdline || `[${comm}]`,
    ];
  } catch {
    return null; // exited meanwhile
  }
}

export async function containerTop(store: Store, ref: string, psArgs: string[] = []): Promise<TopResult> {
  const rec = findContainer(store, ref);
  const st = stateOf(store, rec);
  if (!isRunning(st)) throw wrongState(`Container ${rec.id} is not running`);
  if (st.status === 'restarting')
    throw wrongState(`Container ${rec.id} is restarting, wait until the container is running`);
  const pids = cgroupPids(containerCgroupPath(rec.id));
  if (psArgs.length) {
    // with ps options, run the host's ps (as docker does) and keep the container's rows
    const { stdout } = await promisify(execFile)('ps', psArgs).catch((e: Error) => {
      throw invalidArg(`Error running ps: ${e.message}`);
    });
    const lines = stdout.split('\n').filter(Boolean);
    const titles = lines[0]!.trim().split(/\s+/);
    const pidCol = titles.indexOf('PID');
    if (pidCol < 0) throw invalidArg(`Couldn't find PID field in ps output`);
    const rows = lines.slice(1).map((l) => {
      const f = l.trim().split(/\s+/);
      return [...f.slice(0, titles.length - 1), f.slice(titles.length - 1).join(' ')];
    });
    return { Titles: titles, Processes: rows.filter((r) => pids.includes(Number(r[pidCol]))) };
  }
  const users = hostUsers();
  return {
    Titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
    Processes: pids.map((p) => psRow(p, users)).filter((r): r is string[] => r !== null),
  };
}

// ---- exec / attach -------------------------------------------------------------

/** The start time the monitor recorded for pid, so exec cannot join a process that got the pid later. */
function pidStartTime(stateDir: string, pid: number): number | undefined {
  const m = readMonitorState(stateDir);
  return m?.pid === pid ? m.pidStartTime : undefined;
}

export function execPlan(store: Store, ref: string, o: ExecOptions): ExecPlan {
  const rec = findContainer(store, ref);
  const st = stateOf(store, rec);
  if (st.status === 'paused') throw wrongState(`Container ${rec.id} is paused, unpause the container before exec`);
  if (!isRunning(st) || !st.pid) throw wrongState(`Container ${rec.id} is not running`);
  if (!o.cmd.length) throw invalidArg('exec needs a command to run');
  const p = containerPaths(store.layout, rec.id);
  let user: string | undefined;
  if (o.user) {
    const layers = [...rec.layers].reverse().map((c) => store.layout.layerDiff(c.slice(7)));
    const u = resolveUser(
      o.user,
      readLayeredFile([p.upper, p.init, ...layers], 'etc/passwd'),
      readLayeredFile([p.upper, p.init, ...layers], 'etc/group'),
    );
    user = `${u.uid}:${u.gid}${u.additionalGids.length ? ':' + u.additionalGids.join(',') : ''}`;
  }
  for (const e of o.env ?? []) if (!e.includes('=')) throw invalidArg(`invalid environment variable: ${e}`);
  if (o.workdir && !o.workdir.startsWith('/'))
    throw invalidArg(`the working directory '${o.workdir}' is invalid, it needs to be an absolute path`);
  store.event({
    type: 'container',
    action: `exec_create: ${o.cmd.join(' ')}`,
    actorId: rec.id,
    attributes: { name: rec.name, ...(o.execId ? { execID: o.execId } : {}) },
  });
  return {
    program: monitorPath(),
    args: execArgs({
      pid: st.pid,
      pidStart: pidStartTime(store.layout.containerRun(rec.id), st.pid),
      cgroup: containerCgroupPath(rec.id),
      bundle: p.dir,
      ...(o.tty ? { tty: true } : {}),
      ...(o.detach ? { detach: true } : {}),
      ...(o.env ? { env: o.env } : {}),
      cwd: o.workdir,
      user,
      ...(o.privileged ? { privileged: true } : {}),
      winsizeFile: o.winsizeFile,
      cmd: o.cmd,
    }),
  };
}

export async function attachContainer(
  store: Store,
  ref: string,
  want: { stdin?: boolean; stdout?: boolean; stderr?: boolean },
): Promise<AttachSession> {
  const rec = findContainer(store, ref);
  const st = stateOf(store, rec);
  if (st.status === 'paused') throw wrongState('You cannot attach to a paused container, unpause it first');
  if (!isRunning(st) || !st.live) throw wrongState('You cannot attach to a stopped container, start it first');
  const s = await monitorAttach(store.layout.containerRun(rec.id), {
    ...want,
    stdin: !!want.stdin && rec.config.OpenStdin,
  });
  store.event({ type: 'container', action: 'attach', actorId: rec.id, attributes: { name: rec.name } });
  return s;
}

/** Resize a running container's terminal (docker's resize: the API sends it after attach and on SIGWINCH). */
export async function resizeContainer(store: Store, ref: string, rows: number, cols: number): Promise<void> {
  const rec = findContainer(store, ref);
  const st = stateOf(store, rec);
  if (!isRunning(st) || !st.live) throw wrongState(`Container ${rec.id} is not running`);
  if (!rec.config.Tty) return;
  const s = await monitorAttach(store.layout.containerRun(rec.id), { stdout: false, stderr: false });
  s.resize(rows, cols);
  s.close();
}

/** `update`: change limits on a live container and in its record. */
export async function updateContainer(store: Store, ref: string, u: UpdateOptions): Promise<void> {
  const rec = findContainer(store, ref);
  const hc = { ...rec.hostConfig };
  const live: Parameters<typeof updateResources>[1] = {};
  if (u.memory !== undefined) {
    hc.Memory = ramInBytes(u.memory);
    if (hc.Memory && hc.Memory < 6 * 1024 * 1024) throw invalidArg('Minimum memory limit allowed is 6MB');
    live.memory = hc.Memory;
  }
  if (u.memorySwap !== undefined) {
    hc.MemorySwap = u.memorySwap === '-1' ? -1 : ramInBytes(u.memorySwap);
    if (hc.MemorySwap > 0 && hc.MemorySwap < hc.Memory)
      throw invalidArg('Minimum memoryswap limit should be larger than memory limit, see usage');
    live.memorySwap = hc.MemorySwap;
    live.memory = hc.Memory;
  } else if (u.memory !== undefined && hc.Memory) {
    live.memorySwap = rec.hostConfig.MemorySwap === 0 ? hc.Memory * 2 : rec.hostConfig.MemorySwap;
  }
  if (u.memoryReservation !== undefined)
    live.memoryReservation = hc.MemoryReservation = ramInBytes(u.memoryReservation);
  if (u.cpus !== undefined) {
    hc.NanoCpus = parseCpus(u.cpus);
    if (hc.NanoCpus > availableParallelism() * 1e9)
      throw invalidArg(
        `Range of CPUs is from 0.01 to ${availableParallelism()}.00, as there are only ${availableParallelism()} CPUs available`,
      );
    live.nanoCpus = hc.NanoCpus;
  }
  if (u.cpuShares !== undefined) live.cpuShares = hc.CpuShares = u.cpuShares;
  if (u.cpuPeriod !== undefined) live.cpuPeriod = hc.CpuPeriod = u.cpuPeriod;
  if (u.cpuQuota !== undefined) live.cpuQuota = hc.CpuQuota = u.cpuQuota;
  if (u.cpusetCpus !== undefined)
    live.cpusetCpus = hc.CpusetCpus = validateCpuset(u.cpusetCpus, availableParallelism());
  if (u.pidsLimit !== undefined) live.pidsLimit = hc.PidsLimit = u.pidsLimit > 0 ? u.pidsLimit : null;
  if (u.restart !== undefined) {
    hc.RestartPolicy = parseRestartPolicy(u.restart);
    if (hc.AutoRemove && hc.RestartPolicy.Name && hc.RestartPolicy.Name !== 'no') {
      throw invalidArg('Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
  }
  const st = stateOf(store, rec);
  if (isRunning(st) && st.live) {
    if (Object.keys(live).length) updateResources(containerCgroupPath(rec.id), live);
    if (u.restart !== undefined) {
      const { restartArg } = await import('./options.js');
      await monitorPolicy(store.layout.containerRun(rec.id), restartArg(hc.RestartPolicy));
    }
  }
  containerDb(store).setHostConfig(rec.id, hc);
  store.event({ type: 'container', action: 'update', actorId: rec.id, attributes: { name: rec.name } });
}
