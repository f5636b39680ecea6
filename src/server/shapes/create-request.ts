/**
 * POST /containers/create: dockerd's Config + HostConfig body into the
 * seam's ContainerCreateRequest. Values berth takes are carried over;
 * settings for a capability berth lacks (published ports, health checks,
 * DNS options, devices, ...) are refused with 501 naming them, never
 * dropped silently; values of the wrong type are a 400. Pure.
 */
import { posix } from 'node:path';
import type { ContainerCreateRequest, MountSpec } from '../../client/api.js';
import { decode } from '../decode.js';
import { badRequest, notImplemented } from '../errors.js';
import { createShape } from './create-schema.js';

type Body = Record<string, any>;

/**
 * Config.Volumes as dockerd takes them: each path an anonymous volume unless
 * a bind or a mount already targets it (docker-compose 1.29 sends a named
 * volume both in Binds and in Config.Volumes).
 */
function configVolumes(volumes: unknown, binds: unknown, mounts: unknown): string[] {
  const clean = (p: string) => posix.normalize(p).replace(/(.)\/+$/, '$1');
  const taken = new Set<string>();
  // a bind is [source:]target[:mode]
  for (const b of Array.isArray(binds) ? binds : []) {
    const parts = String(b).split(':');
    taken.add(clean(parts.length === 1 ? parts[0]! : parts[1]!));
  }
  for (const m of Array.isArray(mounts) ? mounts : []) {
    if (typeof m?.Target === 'string') taken.add(clean(m.Target));
  }
  return Object.keys(volumes ?? {}).filter((v) => !taken.has(clean(v)));
}

/** strslice.StrSlice: a JSON string is a one-element list. */
export function strSlice(v: unknown, field: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw badRequest(
    `json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field ${field} of type strslice.StrSlice`,
  );
}

const nonEmpty = (v: unknown) =>
  v !== undefined &&
  v !== null &&
  !(Array.isArray(v) && v.length === 0) &&
  !(typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0);

/** What berth cannot do among the settings, by docker's field name and what it is. */
function unsupported(c: Body, h: Body): string[] {
  const out: string[] = [];
  const want = (cond: unknown, what: string) => {
    if (cond) out.push(what);
  };
  const hc = c.Healthcheck as Body | undefined;
  want(hc?.Test?.length && !(hc.Test.length === 1 && hc.Test[0] === 'NONE'), 'health checks (Healthcheck)');
  want(c.Domainname, 'a domain name (Domainname)');
  want(nonEmpty(h.VolumesFrom), 'volumes from other containers (VolumesFrom)');
  want(nonEmpty(h.GroupAdd), 'additional groups (GroupAdd)');
  want(h.IpcMode && !['private', 'shareable', ''].includes(h.IpcMode), `IPC mode ${h.IpcMode} (IpcMode)`);
  want(h.PidMode, `PID mode ${h.PidMode} (PidMode)`);
  want(h.UTSMode, `UTS mode ${h.UTSMode} (UTSMode)`);
  want(h.UsernsMode, `user namespace mode ${h.UsernsMode} (UsernsMode)`);
  want(h.CgroupnsMode === 'private', 'a private cgroup namespace (CgroupnsMode)');
  want(h.Cgroup, 'joining another cgroup (Cgroup)');
  want(h.CgroupParent, 'a cgroup parent (CgroupParent)');
  want(h.OomScoreAdj, 'an OOM score adjustment (OomScoreAdj)');
  want(h.OomKillDisable, 'disabling the OOM killer (OomKillDisable)');
  want(nonEmpty(h.SecurityOpt), `security options (SecurityOpt: ${(h.SecurityOpt ?? []).join(', ')})`);
  want(nonEmpty(h.StorageOpt), 'storage options (StorageOpt)');
  want(nonEmpty(h.Sysctls), 'sysctls (Sysctls)');
  want(nonEmpty(h.Annotations), 'annotations (Annotations)');
  want(
    nonEmpty(h.Devices) || nonEmpty(h.DeviceCgroupRules) || nonEmpty(h.DeviceRequests),
    'devices (Devices, DeviceCgroupRules, DeviceRequests)',
  );
  want(nonEmpty(h.Ulimits), 'ulimits (Ulimits)');
  want(
    h.BlkioWeight ||
      nonEmpty(h.BlkioWeightDevice) ||
      nonEmpty(h.BlkioDeviceReadBps) ||
      nonEmpty(h.BlkioDeviceWriteBps) ||
      nonEmpty(h.BlkioDeviceReadIOps) ||
      nonEmpty(h.BlkioDeviceWriteIOps),
    'block I/O limits (Blkio*)',
  );
  want(h.CpuRealtimePeriod || h.CpuRealtimeRuntime, 'real-time CPU scheduling (CpuRealtimePeriod, CpuRealtimeRuntime)');
  want(h.KernelMemory || h.KernelMemoryTCP, 'kernel memory limits (KernelMemory)');
  want(h.MemorySwappiness !== undefined && h.MemorySwappiness !== -1, 'memory swappiness (MemorySwappiness)');
  want(
    h.CpuCount || h.CpuPercent || h.IOMaximumIOps || h.IOMaximumBandwidth,
    'Windows resource limits (CpuCount, CpuPercent, IOMaximum*)',
  );
  want(h.VolumeDriver && h.VolumeDriver !== 'local', `the volume driver ${h.VolumeDriver} (VolumeDriver)`);
  want(h.Isolation && h.Isolation !== 'default', `isolation ${h.Isolation} (Isolation)`);
  return out;
}

/** NanoCpus as the --cpus value the engine parses. */
const cpusOf = (nano: number) => (nano / 1e9).toFixed(9).replace(/\.?0+$/, '');

function restartOf(p: Body | undefined): string | undefined {
  if (!p || !p.Name) return undefined;
  if (p.Name === 'on-failure' && p.MaximumRetryCount) return `on-failure:${p.MaximumRetryCount}`;
  if (p.Name !== 'on-failure' && p.MaximumRetryCount)
    throw badRequest(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  return p.Name;
}

function positive(v: number | undefined, what: string): number | undefined {
  if (v === undefined || v === 0) return undefined;
  if (v < 0) throw badRequest(`invalid ${what}: must be a positive number`);
  return v;
}

/** The network a container asks for: default, bridge, none, host, container:NAME or a network's name (the engine checks it). */
function networkOf(c: Body, h: Body): string | undefined {
  if (c.NetworkDisabled) return 'none';
  const mode: string = h.NetworkMode ?? '';
  if (mode === '' || mode === 'default') return undefined;
  return mode;
}

/** HostConfig.PortBindings as -p specs: [IP:][HOSTPORT:]PORT/PROTO (an IPv6 address in brackets). */
function publishOf(bindings: Body | undefined): string[] {
  const out: string[] = [];
  for (const [port, list] of Object.entries(bindings ?? {})) {
    if (!/^\d+(-\d+)?(\/(tcp|udp|sctp))?$/.test(port)) throw badRequest(`invalid port specification: "${port}"`);
    const spec = port.includes('/') ? port : `${port}/tcp`;
    if (!Array.isArray(list) || !list.length) continue;
    for (const b of list as Body[]) {
      const ip: string = b?.HostIp ?? '';
      const hostPort: string = b?.HostPort ?? '';
      const host = ip.includes(':') ? `[${ip}]` : ip;
      out.push(host ? `${host}:${hostPort}:${spec}` : hostPort ? `${hostPort}:${spec}` : spec);
    }
  }
  return out;
}

export function createRequest(raw: unknown, name: string | null): ContainerCreateRequest {
  const c = decode<Body>(raw, createShape);
  const h: Body = c.HostConfig ?? {};
  const missing = unsupported(c, h);
  if (missing.length) throw notImplemented(`berth does not support ${missing.join('; ')}`);
  if (!c.Image) throw badRequest('no image given: Config.Image is empty');
  if (h.Runtime && h.Runtime !== 'berth') throw badRequest(`Unknown runtime specified ${h.Runtime}`);
  const endpointsConfig = (c.NetworkingConfig?.EndpointsConfig ?? {}) as Record<string, Body | null>;
  const network = networkOf(c, h);
  const others = Object.keys(endpointsConfig).filter(
    (ep) => ep !== (network ?? 'default') && !(ep === 'bridge' && !network),
  );
  if (others.length)
    throw notImplemented(
      `berth puts a new container on one network (${network ?? 'default'}); connect it to ${others.join(', ')} after it is created`,
    );
  const endpoint: Body = Object.values(endpointsConfig)[0] ?? {};
  const aliases = strSlice(endpoint.Aliases, 'EndpointSettings.Aliases') ?? [];
  const ip: string = endpoint.IPAMConfig?.IPv4Address ?? '';
  if (endpoint.IPAMConfig?.IPv6Address)
    throw notImplemented('berth does not assign a given IPv6 address (IPv6Address)');
  // links: on a user-defined network, names this container alone resolves (dockerd's endpoint links; the
  // docker CLI moves --link there, docker-py and docker-compose send them in HostConfig.Links)
  const links = [
    ...(strSlice(h.Links, 'HostConfig.Links') ?? []),
    ...(strSlice(endpoint.Links, 'EndpointSettings.Links') ?? []),
  ];
  if (links.length && (!network || ['bridge', 'host', 'none'].includes(network) || network.startsWith('container:')))
    throw notImplemented(
      'berth does not support legacy links on the default bridge network (Links); put the containers on a user-defined network',
    );
  const mac: string = endpoint.MacAddress || c.MacAddress || '';
  const publish = publishOf(h.PortBindings);
  const dns = strSlice(h.Dns, 'HostConfig.Dns') ?? [];
  const dnsSearch = strSlice(h.DnsSearch, 'HostConfig.DnsSearch') ?? [];
  const dnsOptions = strSlice(h.DnsOptions, 'HostConfig.DnsOptions') ?? [];
  const addHosts = strSlice(h.ExtraHosts, 'HostConfig.ExtraHosts') ?? [];
  const entrypoint = strSlice(c.Entrypoint, 'Config.Entrypoint');
  const cmd = strSlice(c.Cmd, 'Config.Cmd');
  const capAdd = strSlice(h.CapAdd, 'HostConfig.CapAdd');
  const capDrop = strSlice(h.CapDrop, 'HostConfig.CapDrop');
  const memory = positive(h.Memory, 'memory limit');
  const reservation = positive(h.MemoryReservation, 'memory reservation');
  const shm = positive(h.ShmSize, 'shm size');
  const nano = positive(h.NanoCpus, 'NanoCpus');
  const swap: number | undefined = h.MemorySwap;
  if (swap !== undefined && swap < -1) throw badRequest('invalid memory swap: must be -1 or positive');
  const logType: string | undefined = h.LogConfig?.Type || undefined;
  const logOpts = Object.entries((h.LogConfig?.Config ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`);
  const restart = restartOf(h.RestartPolicy);
  const volumes = [...(h.Binds ?? []), ...configVolumes(c.Volumes, h.Binds, h.Mounts)];
  const tmpfs = Object.entries((h.Tmpfs ?? {}) as Record<string, string>).map(([p, o]) => (o ? `${p}:${o}` : p));
  const pids: number | undefined = h.PidsLimit;
  const req: ContainerCreateRequest = {
    image: c.Image,
    ...(name ? { name } : {}),
    ...(cmd?.length ? { cmd } : {}),
    ...(entrypoint !== undefined ? { entrypoint } : {}),
    ...(c.Env?.length ? { env: c.Env } : {}),
    ...(c.WorkingDir ? { workdir: c.WorkingDir } : {}),
    ...(c.User ? { user: c.User } : {}),
    ...(c.Hostname ? { hostname: c.Hostname } : {}),
    ...(c.Labels && Object.keys(c.Labels).length
      ? { labels: Object.entries(c.Labels).map(([k, v]) => `${k}=${v}`) }
      : {}),
    ...(c.ExposedPorts && Object.keys(c.ExposedPorts).length ? { expose: Object.keys(c.ExposedPorts) } : {}),
    tty: !!c.Tty,
    ...(Array.isArray(h.ConsoleSize) && h.ConsoleSize.length === 2 && h.ConsoleSize[0] > 0 && h.ConsoleSize[1] > 0
      ? { consoleSize: [h.ConsoleSize[0], h.ConsoleSize[1]] as [number, number] }
      : {}),
    openStdin: !!c.OpenStdin,
    attachStdin: !!c.AttachStdin,
    attachStdout: !!c.AttachStdout,
    attachStderr: !!c.AttachStderr,
    ...(memory ? { memory: String(memory) } : {}),
    ...(swap ? { memorySwap: String(swap) } : {}),
    ...(reservation ? { memoryReservation: String(reservation) } : {}),
    ...(nano ? { cpus: cpusOf(nano) } : {}),
    ...(h.CpuShares ? { cpuShares: h.CpuShares } : {}),
    ...(h.CpuPeriod ? { cpuPeriod: h.CpuPeriod } : {}),
    ...(h.CpuQuota ? { cpuQuota: h.CpuQuota } : {}),
    ...(h.CpusetCpus ? { cpusetCpus: h.CpusetCpus } : {}),
    ...(h.CpusetMems ? { cpusetMems: h.CpusetMems } : {}),
    ...(pids && pids > 0 ? { pidsLimit: pids } : {}),
    ...(shm ? { shmSize: String(shm) } : {}),
    ...(restart ? { restart } : {}),
    autoRemove: !!h.AutoRemove,
    ...(c.StopSignal ? { stopSignal: c.StopSignal } : {}),
    ...(c.StopTimeout !== undefined ? { stopTimeout: c.StopTimeout } : {}),
    ...(network ? { network } : {}),
    ...(aliases.length ? { networkAliases: aliases } : {}),
    ...(links.length ? { links: [...new Set(links)] } : {}),
    ...(ip ? { ip } : {}),
    ...(mac ? { macAddress: mac } : {}),
    ...(publish.length ? { publish } : {}),
    ...(h.PublishAllPorts ? { publishAll: true } : {}),
    ...(dns.length ? { dns } : {}),
    ...(dnsSearch.length ? { dnsSearch } : {}),
    ...(dnsOptions.length ? { dnsOptions } : {}),
    ...(addHosts.length ? { addHosts } : {}),
    readOnly: !!h.ReadonlyRootfs,
    ...(capAdd?.length ? { capAdd } : {}),
    ...(capDrop?.length ? { capDrop } : {}),
    privileged: !!h.Privileged,
    init: !!h.Init,
    ...(logType ? { logDriver: logType } : {}),
    ...(logOpts.length ? { logOpts } : {}),
    ...(volumes.length ? { volumes } : {}),
    ...(h.Mounts?.length ? { mounts: h.Mounts as MountSpec[] } : {}),
    ...(tmpfs.length ? { tmpfs } : {}),
  };
  return req;
}
