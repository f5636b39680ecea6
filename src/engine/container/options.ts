/**
 * From a create request and the image's config to docker's container Config
 * and HostConfig, with docker's merge rules and docker's validation messages.
 * Pure: everything it needs comes in as arguments.
 */
import { invalidArg } from '../errors.js';
import type { ImageConfig } from '../image/types.js';
import type { ContainerCreateRequest } from '../types.js';
import { parseCpus, ramInBytes } from '../util/units.js';
import { networkOptions, isContainerMode } from '../network/container-options.js';
import { checkDeviceMapping } from '../security/devices.js';
import { parseSecurityOpt } from '../security/security-opt.js';
import { normalizeCapabilities } from './capabilities.js';
import { parseSignal } from './signals.js';
import type { ContainerConfig, HostConfig, RestartPolicy } from './types.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
export const DEFAULT_SHM = 64 * 1024 * 1024;

export const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function parseRestartPolicy(s: string | undefined): RestartPolicy {
  if (!s || s === 'no') return { Name: s === 'no' ? 'no' : '', MaximumRetryCount: 0 };
  const parts = s.split(':');
  if (parts.length > 2) throw invalidArg('invalid restart policy format: maximum retry count must be an integer');
  const [name, count] = parts as [string, string | undefined];
  switch (name) {
    case 'always':
    case 'unless-stopped':
      if (count !== undefined)
        throw invalidArg(
          `invalid restart policy format: maximum retry count cannot be used with restart policy '${name}'`,
        );
      return { Name: name, MaximumRetryCount: 0 };
    case 'on-failure': {
      let n = 0;
      if (count !== undefined) {
        if (!/^-?\d+$/.test(count))
          throw invalidArg('invalid restart policy format: maximum retry count must be an integer');
        n = Number(count);
        if (n < 0) throw invalidArg('invalid restart policy: maximum retry count cannot be negative');
      }
      return { Name: 'on-failure', MaximumRetryCount: n };
    }
    default:
      throw invalidArg(
        `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
      );
  }
}

export function restartArg(p: RestartPolicy): string {
  if (!p.Name || p.Name === 'no') return 'no';
  return p.Name === 'on-failure' && p.MaximumRetryCount ? `on-failure:${p.MaximumRetryCount}` : p.Name;
}

/** "0-2,4" style CPU/memory-node lists; every listed index must be below `available`. */
export function validateCpuset(spec: string, available: number, what = 'CPUs'): string {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(spec))
    throw invalidArg(`invalid value ${spec} for cpuset ${what.toLowerCase()}`);
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-').map(Number) as [number, number | undefined];
    if (b !== undefined && b < a) throw invalidArg(`invalid value ${spec} for cpuset ${what.toLowerCase()}`);
    if ((b ?? a) >= available) {
      throw invalidArg(
        `Requested ${what} are not available - requested ${spec}, available: ${available > 1 ? `0-${available - 1}` : '0'}`,
      );
    }
  }
  return spec;
}

function kv(list: string[] | undefined, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (what === 'label' && eq < 0) {
      out[item] = '';
      continue;
    }
    if (eq <= 0) throw invalidArg(`invalid ${what}: "${item}" (expected KEY=VALUE)`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

const nullIfEmpty = <T>(xs: T[]): T[] | null => (xs.length ? xs : null);

function mergeEnv(base: string[], extra: string[]): string[] {
  const out = [...base];
  for (const e of extra) {
    const key = e.split('=')[0]!;
    const i = out.findIndex((x) => x.split('=')[0] === key);
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

function validateLogOpts(driver: string, opts: Record<string, string>): void {
  if (driver !== 'json-file' && driver !== 'none')
    throw invalidArg(`logging driver "${driver}" is not supported (json-file, none)`);
  for (const [k, v] of Object.entries(opts)) {
    if (k === 'max-size') {
      if (v !== '-1' && !/^\d/.test(v)) throw invalidArg(`invalid max-size: ${v}`);
      ramInBytes(v);
    } else if (k === 'max-file') {
      if (!/^\d+$/.test(v)) throw invalidArg(`invalid max-file: ${v}`);
      if (Number(v) < 1) throw invalidArg('max-file cannot be less than 1');
    } else if (['compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag'].includes(k)) {
      throw invalidArg(
        `log opt '${k}' is not supported by berth's ${driver} log driver (it takes max-size and max-file)`,
      );
    } else {
      throw invalidArg(`unknown log opt '${k}' for ${driver} log driver`);
    }
  }
  if (opts['max-file'] && Number(opts['max-file']) > 1 && !opts['max-size']) {
    throw invalidArg('max-file cannot be set without max-size');
  }
}

const HOSTNAME_RE = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

export interface BuiltConfig {
  config: ContainerConfig;
  hostConfig: HostConfig;
  path: string;
  args: string[];
}

export function buildContainerConfig(
  req: ContainerCreateRequest,
  image: ImageConfig,
  id: string,
  host: { cpus: number; memNodes?: number },
): BuiltConfig {
  const ic = image.config ?? {};
  const memory = req.memory ? ramInBytes(req.memory) : 0;
  if (memory && memory < 6 * 1024 * 1024) throw invalidArg('Minimum memory limit allowed is 6MB');
  // dockerd records memory+swap as twice the memory when only the memory is given
  let memorySwap = memory > 0 ? memory * 2 : 0;
  if (req.memorySwap) {
    memorySwap = req.memorySwap === '-1' ? -1 : ramInBytes(req.memorySwap);
    if (!memory && memorySwap > 0)
      throw invalidArg('You should always set the Memory limit when using Memoryswap limit, see usage');
    if (memorySwap > 0 && memorySwap < memory)
      throw invalidArg('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  const memoryReservation = req.memoryReservation ? ramInBytes(req.memoryReservation) : 0;
  const nanoCpus = req.cpus ? parseCpus(req.cpus) : 0;
  if (nanoCpus && nanoCpus > host.cpus * 1e9) {
    throw invalidArg(`Range of CPUs is from 0.01 to ${host.cpus}.00, as there are only ${host.cpus} CPUs available`);
  }
  if (nanoCpus && (req.cpuQuota || req.cpuPeriod)) {
    throw invalidArg('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  }
  if (req.cpuShares !== undefined && req.cpuShares < 0)
    throw invalidArg('invalid CPU shares: must be a positive integer');
  const restart = parseRestartPolicy(req.restart);
  if (req.autoRemove && restart.Name && restart.Name !== 'no')
    throw invalidArg('conflicting options: cannot specify both --restart and --rm');
  const stopSignal = req.stopSignal ?? ic.StopSignal;
  if (stopSignal) parseSignal(stopSignal);
  if (req.stopTimeout !== undefined && (!Number.isInteger(req.stopTimeout) || req.stopTimeout < -1)) {
    throw invalidArg(`invalid stop timeout: ${req.stopTimeout}`);
  }
  const net = networkOptions(req, ic.ExposedPorts ?? {});
  const network = net.mode;
  if (req.hostname && (req.hostname.length > 64 || !HOSTNAME_RE.test(req.hostname))) {
    throw invalidArg(`invalid hostname format: ${req.hostname}`);
  }
  if (req.hostname && network === 'host') throw invalidArg('Conflicting options: hostname and the network mode');
  const logDriver = req.logDriver ?? 'json-file';
  const logOpts = kv(req.logOpts, 'log-opt');
  validateLogOpts(logDriver, logOpts);
  const capAdd = normalizeCapabilities(req.capAdd ?? []);
  const capDrop = normalizeCapabilities(req.capDrop ?? []);
  const pidsLimit = req.pidsLimit === undefined || req.pidsLimit <= 0 ? null : req.pidsLimit;
  const cpusetCpus = req.cpusetCpus ? validateCpuset(req.cpusetCpus, host.cpus) : '';
  const cpusetMems = req.cpusetMems ? validateCpuset(req.cpusetMems, host.memNodes ?? 1, 'memory nodes') : '';
  const securityOpt = req.securityOpt?.length ? [...req.securityOpt] : null;
  parseSecurityOpt(securityOpt); // docker's daemon refuses a bad option (or profile) at create
  const devices = (req.devices ?? []).map(checkDeviceMapping);
  const shmSize = req.shmSize ? ramInBytes(req.shmSize) : DEFAULT_SHM;
  if (shmSize <= 0) throw invalidArg('invalid shm size');

  let entrypoint: string[] | null = ic.Entrypoint ?? null;
  let cmd: string[] | null = ic.Cmd ?? null;
  if (Array.isArray(req.entrypoint)) {
    // the API's list, merged as dockerd does: [] leaves the image's Cmd, [""] drops both
    if (req.entrypoint.length === 0) entrypoint = null;
    else {
      entrypoint = req.entrypoint.length === 1 && req.entrypoint[0] === '' ? null : req.entrypoint;
      cmd = null;
    }
  } else if (req.entrypoint !== undefined) {
    entrypoint = req.entrypoint === '' ? null : [req.entrypoint];
    cmd = null; // docker: a new entrypoint drops the image's Cmd
  }
  if (req.cmd && req.cmd.length) cmd = req.cmd;
  const argv = [...(entrypoint ?? []), ...(cmd ?? [])];
  if (!argv.length) throw invalidArg('No command specified');

  const labels = { ...(ic.Labels ?? {}), ...kv(req.labels, 'label') };
  const hostname = network === 'host' || isContainerMode(network) ? '' : (req.hostname ?? id.slice(0, 12));
  const config: ContainerConfig = {
    Hostname: hostname,
    Domainname: '',
    User: req.user ?? ic.User ?? '',
    AttachStdin: !!req.attachStdin,
    AttachStdout: req.attachStdout ?? false,
    AttachStderr: req.attachStderr ?? false,
    ...(Object.keys(net.exposed).length ? { ExposedPorts: net.exposed } : {}),
    Tty: !!req.tty,
    OpenStdin: !!req.openStdin,
    StdinOnce: !!req.openStdin && !!req.attachStdin,
    Env: nullIfEmpty(mergeEnv(ic.Env ?? [], req.env ?? [])),
    Cmd: cmd,
    Image: req.image,
    Volumes: ic.Volumes ?? null,
    WorkingDir: req.workdir ?? ic.WorkingDir ?? '',
    Entrypoint: entrypoint,
    OnBuild: ic.OnBuild ?? null,
    Labels: labels,
    ...(net.macAddress ? { MacAddress: net.macAddress } : {}),
    ...(stopSignal ? { StopSignal: stopSignal } : {}),
    ...(req.stopTimeout !== undefined ? { StopTimeout: req.stopTimeout } : {}),
  };
  if (config.WorkingDir && !config.WorkingDir.startsWith('/')) {
    throw invalidArg(`the working directory '${config.WorkingDir}' is invalid, it needs to be an absolute path`);
  }
  const hostConfig: HostConfig = {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: logDriver, Config: logOpts },
    NetworkMode: network,
    PortBindings: net.portBindings,
    RestartPolicy: restart,
    AutoRemove: !!req.autoRemove,
    VolumeDriver: '',
    VolumesFrom: null,
    CapAdd: capAdd.length ? capAdd : null,
    CapDrop: capDrop.length ? capDrop : null,
    // a cgroup namespace of its own (docker's default on cgroup v2; berth's on v1 too): /proc/self/cgroup shows "/"
    CgroupnsMode: 'private',
    Dns: net.dns,
    DnsOptions: net.dnsOptions,
    DnsSearch: net.dnsSearch,
    ExtraHosts: net.extraHosts,
    GroupAdd: null,
    IpcMode: 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: !!req.privileged,
    PublishAllPorts: net.publishAll,
    ReadonlyRootfs: !!req.readOnly,
    SecurityOpt: securityOpt,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: shmSize,
    Runtime: 'berth',
    ConsoleSize:
      req.consoleSize && req.consoleSize.every((n) => Number.isInteger(n) && n >= 0 && n < 65536)
        ? req.consoleSize
        : [0, 0],
    Init: req.init ? true : null,
    CpuShares: req.cpuShares ?? 0,
    Memory: memory,
    NanoCpus: nanoCpus,
    CgroupParent: '',
    BlkioWeight: 0,
    CpuPeriod: req.cpuPeriod ?? 0,
    CpuQuota: req.cpuQuota ?? 0,
    CpusetCpus: cpusetCpus,
    CpusetMems: cpusetMems,
    Devices: devices,
    MemoryReservation: memoryReservation,
    MemorySwap: memorySwap,
    MemorySwappiness: null,
    OomKillDisable: false,
    PidsLimit: pidsLimit,
    Ulimits: [],
    Mounts: null,
    MaskedPaths: req.privileged ? [] : DEFAULT_MASKED_PATHS,
    ReadonlyPaths: req.privileged ? [] : DEFAULT_READONLY_PATHS,
  };
  return { config, hostConfig, path: argv[0]!, args: argv.slice(1) };
}
