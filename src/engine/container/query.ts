/** `ps` (docker's container list with its filters) and `inspect` (ContainerInspect). */
import { invalidArg } from '../errors.js';
import { imageConfig } from '../image/config.js';
import { tryResolveImage } from '../image/resolve.js';
import { containerPaths } from '../runtime/container-fs.js';
import type { Store } from '../store/store.js';
import type { ContainerSummary } from '../types.js';
import { checkFilterKeys, matchLabel } from '../util/filters.js';
import { containerDb, findContainer, isRunning, stateOf } from './records.js';
import { hostConfigView } from './docker-shapes.js';
import { networkLookup, networkSettings, networkView } from './network-view.js';
import type { NetworkRecord } from '../network/types.js';
import { parsePortRange } from '../network/ports.js';
import { NetworkDb } from '../network/network-db.js';
import { duSync } from './size.js';
import type { CurrentState } from './state.js';
import type { ContainerRecord, MountPoint } from './types.js';

export const PS_FILTERS = [
  'id',
  'name',
  'label',
  'exited',
  'status',
  'ancestor',
  'before',
  'since',
  'volume',
  'network',
  'health',
  'is-task',
  'publish',
  'expose',
  'isolation',
];
const STATUSES = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

/** The mounts docker's API shows, without berth's bookkeeping fields (--tmpfs mounts are only in HostConfig.Tmpfs). */
export function publicMounts(ms: MountPoint[]) {
  return ms.filter((m) => !m.TmpfsFlag).map(publicMount);
}

function publicMount(m: MountPoint) {
  return {
    Type: m.Type,
    ...(m.Name !== undefined ? { Name: m.Name } : {}),
    Source: m.Source,
    Destination: m.Destination,
    ...(m.Driver !== undefined ? { Driver: m.Driver } : {}),
    Mode: m.Mode,
    RW: m.RW,
    Propagation: m.Propagation,
  };
}

/** docker's Command column: path and args, args with spaces in single quotes. */
export function commandOf(rec: ContainerRecord): string {
  const args = rec.args.map((a) => (a.includes(' ') ? `'${a}'` : a));
  return args.length ? `${rec.path} ${args.join(' ')}` : rec.path;
}

const unix = (t: string) => Math.floor(Date.parse(t) / 1000);

export function summarize(
  store: Store,
  rec: ContainerRecord,
  st: CurrentState,
  size = false,
  lookup?: (name: string) => NetworkRecord | null,
): ContainerSummary {
  const view = networkView(store, rec, st, lookup);
  // the paths only for the size (a list of hundreds spent a tenth of its time making them)
  const rw = size ? duSync(containerPaths(store.layout, rec.id).upper) : undefined;
  const imageSize = rw !== undefined ? (store.images.image(rec.imageId)?.size ?? 0) : 0;
  return {
    Id: rec.id,
    Names: [`/${rec.name}`],
    Image: rec.imageName,
    ImageID: rec.imageId,
    Command: commandOf(rec),
    Created: unix(rec.created),
    Ports: view.summaryPorts,
    ...(rw !== undefined ? { SizeRw: rw, SizeRootFs: rw + imageSize } : {}),
    Labels: rec.config.Labels ?? {},
    State: st.status,
    Status: '',
    StartedAt: st.startedAt,
    FinishedAt: st.finishedAt,
    ExitCode: st.exitCode,
    RestartCount: st.restartCount,
    Pid: st.pid,
    HostConfig: { NetworkMode: rec.hostConfig.NetworkMode },
    NetworkSettings: { Networks: view.networks },
    Mounts: publicMounts(rec.mounts),
  };
}

/** network=NAME|ID: the container is attached to it. */
function onNetwork(store: Store, rec: ContainerRecord, ref: string): boolean {
  const names = Object.keys(rec.networks ?? {});
  if (!names.length) names.push(rec.hostConfig.NetworkMode === 'default' ? 'bridge' : rec.hostConfig.NetworkMode);
  if (names.includes(ref)) return true;
  const db = new NetworkDb(store.db);
  return names.some((n) => {
    const id = db.byName(n)?.id;
    return !!id && id.startsWith(ref);
  });
}

/** publish= and expose= values ("80", "80/udp", "8000-8010/tcp") against "80/tcp" keys. */
function portMatch(values: string[], keys: string[]): boolean {
  return values.some((v) => {
    const [range, proto = 'tcp'] = v.split('/');
    const r = parsePortRange(range ?? '');
    if (!r) throw invalidArg(`invalid filter: ${v}`);
    return keys.some((k) => {
      const [n, kp = 'tcp'] = k.split('/');
      return kp === proto && Number(n) >= r[0] && Number(n) <= r[1];
    });
  });
}

/** Image IDs a container's image must descend from for ancestor=IMAGE. */
function ancestorIds(store: Store, refs: string[]): Set<string> {
  const roots = new Set<string>();
  for (const r of refs) {
    const hit = tryResolveImage(store.images, r);
    if (hit) roots.add(hit.id);
  }
  // every image whose parent chain reaches one of the roots
  const out = new Set(roots);
  for (const img of store.images.images()) {
    let cur: string | null = img.id;
    const seen = new Set<string>();
    while (cur && !seen.has(cur)) {
      seen.add(cur);
      if (roots.has(cur)) {
        out.add(img.id);
        break;
      }
      cur = store.images.image(cur)?.parent ?? null;
    }
  }
  return out;
}

export interface ListOptions {
  all?: boolean;
  last?: number;
  latest?: boolean;
  size?: boolean;
  filters?: Map<string, string[]>;
}

export function listContainers(store: Store, opts: ListOptions = {}): ContainerSummary[] {
  const f = opts.filters ?? new Map<string, string[]>();
  checkFilterKeys(f, PS_FILTERS);
  for (const s of f.get('status') ?? []) if (!STATUSES.includes(s)) throw invalidArg(`invalid filter 'status=${s}'`);
  const exited = (f.get('exited') ?? []).map((e) => {
    if (!/^-?\d+$/.test(e)) throw invalidArg(`invalid filter 'exited=${e}'`);
    return Number(e);
  });
  const names = (f.get('name') ?? []).map((n) => {
    try {
      return new RegExp(n);
    } catch {
      throw invalidArg(`invalid filter 'name=${n}'`);
    }
  });
  // newest first: each creation time parsed once
  const created = new Map<ContainerRecord, number>();
  const when = (r: ContainerRecord) => {
    let t = created.get(r);
    if (t === undefined) created.set(r, (t = Date.parse(r.created)));
    return t;
  };
  let recs = containerDb(store)
    .all()
    .sort((a, b) => when(b) - when(a) || (a.id < b.id ? -1 : 1));
  const lookup = networkLookup(new NetworkDb(store.db));
  const pos = (ref: string) => recs.findIndex((r) => r.id === findContainer(store, ref).id);
  const before = (f.get('before') ?? []).map(pos);
  const since = (f.get('since') ?? []).map(pos);
  const ancestors = f.has('ancestor') ? ancestorIds(store, f.get('ancestor')!) : null;
  const limit = opts.latest ? 1 : opts.last && opts.last > 0 ? opts.last : 0;
  const all = opts.all || limit > 0 || f.has('status') || f.has('exited');
  if (limit) recs = recs.slice(0, limit);
  const out: ContainerSummary[] = [];
  recs.forEach((rec, i) => {
    if (before.length && !before.every((b) => i > b)) return;
    if (since.length && !since.every((s) => i < s)) return;
    const st = stateOf(store, rec);
    if (!all && !isRunning(st)) return;
    if (f.has('id') && !f.get('id')!.some((p) => rec.id.startsWith(p))) return;
    if (names.length && !names.some((re) => re.test(rec.name) || re.test(`/${rec.name}`))) return;
    if (f.has('label') && !f.get('label')!.every((l) => matchLabel(rec.config.Labels, l))) return;
    if (f.has('status') && !f.get('status')!.includes(st.status)) return;
    if (exited.length && !(st.status === 'exited' && exited.includes(st.exitCode))) return;
    if (ancestors && !ancestors.has(rec.imageId)) return;
    if (f.has('network') && !f.get('network')!.some((n) => onNetwork(store, rec, n))) return;
    if (
      f.has('volume') &&
      !f.get('volume')!.some((v) => rec.mounts.some((m) => m.Name === v || m.Destination === v || m.Source === v))
    )
      return;
    if (f.has('health') || f.has('is-task')) return;
    if (f.has('publish') && !portMatch(f.get('publish')!, Object.keys(rec.hostConfig.PortBindings ?? {}))) return;
    if (f.has('expose') && !portMatch(f.get('expose')!, Object.keys(rec.config.ExposedPorts ?? {}))) return;
    out.push(summarize(store, rec, st, opts.size, lookup));
  });
  return out;
}

export function inspectContainer(store: Store, ref: string, size = false): Record<string, unknown> {
  const rec = findContainer(store, ref);
  const st = stateOf(store, rec);
  const p = containerPaths(store.layout, rec.id);
  const lowers = [p.init, ...[...rec.layers].reverse().map((c) => store.layout.layerDiff(c.slice(7)))];
  const rw = size ? duSync(p.upper) : undefined;
  let platformOs = 'linux';
  try {
    platformOs = imageConfig(store, rec.imageId).os ?? 'linux';
  } catch {
    /* image removed since */
  }
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: {
      Status: st.status,
      Running: isRunning(st),
      Paused: st.status === 'paused',
      Restarting: st.status === 'restarting',
      OOMKilled: st.oomKilled,
      Dead: st.status === 'dead',
      Pid: st.pid,
      ExitCode: st.exitCode,
      Error: st.error,
      StartedAt: st.startedAt,
      FinishedAt: st.finishedAt,
    },
    Image: rec.imageId,
    ResolvConfPath: p.resolvConf,
    HostnamePath: p.hostname,
    HostsPath: p.hosts,
    LogPath: rec.hostConfig.LogConfig.Type === 'json-file' ? p.log : '',
    Name: `/${rec.name}`,
    RestartCount: st.restartCount,
    Driver: 'overlay2',
    Platform: platformOs,
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfigView(rec.hostConfig),
    GraphDriver: {
      Data: { LowerDir: lowers.join(':'), MergedDir: p.merged, UpperDir: p.upper, WorkDir: p.work },
      Name: 'overlay2',
    },
    ...(rw !== undefined ? { SizeRw: rw, SizeRootFs: rw + (store.images.image(rec.imageId)?.size ?? 0) } : {}),
    Mounts: publicMounts(rec.mounts),
    Config: rec.config,
    NetworkSettings: networkSettings(networkView(store, rec, st), st.pid ? `/proc/${st.pid}/ns/net` : ''),
  };
}
