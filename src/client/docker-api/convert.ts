/**
 * Pure conversions between the Docker Engine API's JSON and the client's
 * types: stats readings (the docker CLI's formulas), events, container
 * summaries, load answers, and the create request's body.
 */
import type { ContainerCreateRequest, ContainerSummary } from '../types/containers.js';
import type { EngineEvent, StatsSample } from '../types/streams.js';
import { parseCpus, ramInBytes } from '../units.js';

type Json = any;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A reading of GET /containers/{id}/stats as the client's sample (docker CLI's stats formulas). */
export function statsSample(id: string, name: string, s: Json): StatsSample {
  const cpu = s?.cpu_stats ?? {};
  const pre = s?.precpu_stats ?? {};
  const cpuTotal = num(cpu.cpu_usage?.total_usage);
  const system = num(cpu.system_cpu_usage);
  const online = num(cpu.online_cpus) || (cpu.cpu_usage?.percpu_usage?.length ?? 0) || 1;
  const dCpu = cpuTotal - num(pre.cpu_usage?.total_usage);
  const dSys = system - num(pre.system_cpu_usage);
  const cpuPercent = dCpu > 0 && dSys > 0 ? (dCpu / dSys) * online * 100 : 0;
  const mem = s?.memory_stats ?? {};
  const st = mem.stats ?? {};
  const inactive = num(st.total_inactive_file ?? st.inactive_file);
  const usage = num(mem.usage);
  const memUsed = usage > inactive ? usage - inactive : usage;
  const memLimit = num(mem.limit);
  let rxB = 0,
    txB = 0,
    rxP = 0,
    txP = 0;
  for (const n of Object.values((s?.networks ?? {}) as Record<string, Json>)) {
    rxB += num(n.rx_bytes);
    txB += num(n.tx_bytes);
    rxP += num(n.rx_packets);
    txP += num(n.tx_packets);
  }
  let rd = 0,
    wr = 0;
  for (const e of (s?.blkio_stats?.io_service_bytes_recursive ?? []) as Json[]) {
    const op = String(e.op ?? '').toLowerCase();
    if (op === 'read') rd += num(e.value);
    else if (op === 'write') wr += num(e.value);
  }
  const pidsLimit = num(s?.pids_stats?.limit);
  const time = Date.parse(s?.read ?? '');
  return {
    id,
    name,
    time: Number.isFinite(time) && time > 0 ? time : Date.now(),
    cpuPercent,
    cpuTotalNs: cpuTotal,
    systemNs: system,
    onlineCpus: online,
    memUsed,
    memLimit,
    memPercent: memLimit > 0 ? (memUsed / memLimit) * 100 : 0,
    memFailcnt: num(mem.failcnt),
    oomKills: 0,
    netRxBytes: rxB,
    netTxBytes: txB,
    netRxPackets: rxP,
    netTxPackets: txP,
    blockRead: rd,
    blockWrite: wr,
    pids: num(s?.pids_stats?.current),
    // an unlimited limit is absent, 0, or the largest uint64 (which JSON gives as a huge number)
    pidsLimit: pidsLimit > 0 && pidsLimit < 2 ** 53 ? pidsLimit : null,
  };
}

/** A reading of a stopped container (docker keeps the stream open with empty readings). */
export const emptyReading = (s: Json): boolean => typeof s?.read === 'string' && s.read.startsWith('0001-');

/** An EventMessage as the client's event (older engines give only status/id/from). */
export function engineEvent(m: Json): EngineEvent {
  const timeNano = m.timeNano !== undefined ? BigInt(m.timeNano) : BigInt(num(m.time)) * 1_000_000_000n;
  return {
    Type: String(m.Type ?? 'container'),
    Action: String(m.Action ?? m.status ?? ''),
    Actor: {
      ID: String(m.Actor?.ID ?? m.id ?? ''),
      Attributes: (m.Actor?.Attributes ?? (m.from ? { image: m.from } : {})) as Record<string, string>,
    },
    scope: String(m.scope ?? 'local'),
    time: num(m.time),
    timeNano,
  };
}

/** "Exited (137) 2 minutes ago" -> 137. */
const exitFromStatus = (status: string): number => Number(/^Exited \((-?\d+)\)/.exec(status)?.[1] ?? 0);

/** GET /containers/json's summary with the fields the engine's summary has and the API's lacks. */
export function containerSummary(c: Json): ContainerSummary {
  return {
    Id: c.Id,
    Names: c.Names ?? [],
    Image: c.Image ?? '',
    ImageID: c.ImageID ?? '',
    Command: c.Command ?? '',
    Created: num(c.Created),
    Ports: c.Ports ?? [],
    ...(c.SizeRw !== undefined ? { SizeRw: c.SizeRw } : {}),
    ...(c.SizeRootFs !== undefined ? { SizeRootFs: c.SizeRootFs } : {}),
    Labels: c.Labels ?? {},
    State: String(c.State ?? ''),
    // docker's words: the API gives them, not the times (StartedAt '' says so)
    Status: String(c.Status ?? ''),
    StartedAt: '',
    FinishedAt: '',
    ExitCode: exitFromStatus(String(c.Status ?? '')),
    RestartCount: 0,
    Pid: 0,
    HostConfig: { NetworkMode: c.HostConfig?.NetworkMode ?? '' },
    NetworkSettings: { Networks: c.NetworkSettings?.Networks ?? {} },
    Mounts: c.Mounts ?? [],
  };
}

/** POST /images/load's messages: the loaded names and IDs ("Loaded image: x:1", "Loaded image ID: sha256:..."). */
export function loadedFrom(lines: string[]): { tags: string[]; ids: string[] } {
  const tags: string[] = [];
  const ids: string[] = [];
  for (const l of lines) {
    const id = /^Loaded image ID: (\S+)/.exec(l);
    if (id) ids.push(id[1]!);
    const tag = /^Loaded image: (\S+)/.exec(l);
    if (tag) tags.push(tag[1]!);
    // podman: "Loaded image(s): a,b" or "Loaded image: sha256:..."
    const many = /^Loaded image\(s\): (\S+)/.exec(l);
    if (many) tags.push(...many[1]!.split(','));
  }
  return { tags, ids };
}

const kv = (list: string[] = []) =>
  Object.fromEntries(list.map((l) => [l.split('=')[0]!, l.includes('=') ? l.slice(l.indexOf('=') + 1) : '']));

function restartPolicy(spec?: string): { Name: string; MaximumRetryCount?: number } | undefined {
  if (!spec) return undefined;
  const [name, count] = spec.split(':');
  return { Name: name === 'no' ? '' : name!, ...(count ? { MaximumRetryCount: Number(count) } : {}) };
}

/** -p and --expose as the API's ExposedPorts and PortBindings ([IP:][HOSTPORT:]PORT[/PROTO]; single ports). */
export function ports(publish: string[], expose: string[]): { exposed: Json; bindings: Json } {
  const exposed: Json = {};
  const bindings: Json = {};
  for (const e of expose) exposed[e.includes('/') ? e : `${e}/tcp`] = {};
  for (const p of publish) {
    const [spec = '', proto = 'tcp'] = p.split('/');
    const parts = spec.startsWith('[')
      ? [spec.slice(0, spec.indexOf(']') + 1), ...spec.slice(spec.indexOf(']') + 2).split(':')]
      : spec.split(':');
    const port = parts.pop()!;
    const hostPort = parts.pop() ?? '';
    const hostIp = (parts.pop() ?? '').replace(/^\[(.*)\]$/, '$1');
    const key = `${port}/${proto}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: hostIp, HostPort: hostPort });
  }
  return { exposed, bindings };
}

/** The client's create request as POST /containers/create's body. */
export function createBody(r: ContainerCreateRequest): Json {
  const binds = (r.volumes ?? []).filter((v) => v.includes(':'));
  const anon = (r.volumes ?? []).filter((v) => !v.includes(':'));
  const size = (s?: string) => (s ? ramInBytes(s) : undefined);
  const { exposed, bindings } = ports(r.publish ?? [], r.expose ?? []);
  const host: Json = {
    PortBindings: Object.keys(bindings).length ? bindings : undefined,
    PublishAllPorts: r.publishAll,
    Dns: r.dns,
    DnsSearch: r.dnsSearch,
    DnsOptions: r.dnsOptions,
    ExtraHosts: r.addHosts,
    Binds: binds.length ? binds : undefined,
    Mounts: r.mounts?.length ? r.mounts : undefined,
    Tmpfs: r.tmpfs?.length
      ? Object.fromEntries(r.tmpfs.map((t) => [t.split(':')[0]!, t.split(':').slice(1).join(':')]))
      : undefined,
    NetworkMode: r.network,
    RestartPolicy: restartPolicy(r.restart),
    AutoRemove: r.autoRemove,
    ReadonlyRootfs: r.readOnly,
    CapAdd: r.capAdd,
    CapDrop: r.capDrop,
    Privileged: r.privileged,
    SecurityOpt: r.securityOpt,
    Devices: r.devices,
    Init: r.init,
    Memory: size(r.memory),
    MemorySwap: r.memorySwap === '-1' ? -1 : size(r.memorySwap),
    MemoryReservation: size(r.memoryReservation),
    NanoCpus: r.cpus ? parseCpus(r.cpus) : undefined,
    CpuShares: r.cpuShares,
    CpuPeriod: r.cpuPeriod,
    CpuQuota: r.cpuQuota,
    CpusetCpus: r.cpusetCpus,
    CpusetMems: r.cpusetMems,
    PidsLimit: r.pidsLimit,
    ShmSize: size(r.shmSize),
    LogConfig: r.logDriver || r.logOpts?.length ? { Type: r.logDriver ?? '', Config: kv(r.logOpts) } : undefined,
    // the terminal's size from the start (API 1.42 and later; older engines ignore it)
    ConsoleSize: r.consoleSize,
  };
  return {
    Image: r.image,
    Cmd: r.cmd?.length ? r.cmd : undefined,
    Entrypoint: r.entrypoint === undefined ? undefined : r.entrypoint === '' ? [''] : [r.entrypoint],
    Env: r.env,
    WorkingDir: r.workdir,
    User: r.user,
    Hostname: r.hostname,
    Labels: r.labels ? kv(r.labels) : undefined,
    Tty: !!r.tty,
    OpenStdin: !!r.openStdin,
    StdinOnce: !!r.openStdin && !!r.attachStdin,
    AttachStdin: !!r.attachStdin,
    AttachStdout: !!r.attachStdout,
    AttachStderr: !!r.attachStderr,
    StopSignal: r.stopSignal,
    StopTimeout: r.stopTimeout,
    Volumes: anon.length ? Object.fromEntries(anon.map((v) => [v, {}])) : undefined,
    ExposedPorts: Object.keys(exposed).length ? exposed : undefined,
    MacAddress: r.macAddress,
    NetworkingConfig:
      r.network && (r.networkAliases?.length || r.ip)
        ? {
            EndpointsConfig: {
              [r.network]: {
                ...(r.networkAliases?.length ? { Aliases: r.networkAliases } : {}),
                ...(r.ip ? { IPAMConfig: { IPv4Address: r.ip } } : {}),
              },
            },
          }
        : undefined,
    HostConfig: JSON.parse(JSON.stringify(host)) as Json,
  };
}

/** docker's since/until forms as the API takes them (Unix seconds): ms numbers, RFC3339, Unix seconds, Go durations. */
export function apiTime(v: number | string | undefined, now = Date.now()): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'number') return (v / 1000).toFixed(3);
  if (/^\d+(\.\d+)?$/.test(v)) return v;
  const d = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(v);
  if (d) {
    const unit = { ns: 1e-6, us: 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 }[d[2] as 'ms'];
    return ((now - Number(d[1]) * unit) / 1000).toFixed(3);
  }
  const t = Date.parse(v);
  return Number.isFinite(t) ? (t / 1000).toFixed(3) : v;
}
