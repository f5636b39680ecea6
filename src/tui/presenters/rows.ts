/**
 * The rows of the four lists as pure data: a stable key (selection and
 * marks follow it across refreshes), the reference actions use, the text the
 * filter searches, and the cells shown (docker's words and units).
 */
import type { ContainerSummary, ImageSummary, NetworkResource, StatsSample, VolumeInfo } from '../../client/api.js';
import { displayPorts } from '../../client/format/ports.js';
import { bytesSize, containerStatus, humanSize, timeAgo } from '../../client/format/humanize.js';
import { splitName } from '../../client/format/names.js';
import { shortId } from '../../client/format/table.js';
import { cleanText } from './clean-text.js';
import type { Column } from './columns.js';

export interface Row {
  key: string;
  /** What actions pass to the backend (container ID, image name or ID, volume name). */
  ref: string;
  /** Lower-cased text the filter matches against. */
  search: string;
}

export interface ContainerRow extends Row {
  kind?: 'container';
  c: ContainerSummary;
  name: string;
  /** 1 when shown under its compose project (the grouped list). */
  depth?: number;
}

export interface ImageRow extends Row {
  img: ImageSummary;
  repo: string;
  tag: string;
}

export interface VolumeRow extends Row {
  v: VolumeInfo;
  users: string[];
}

export interface NetworkRow extends Row {
  n: NetworkResource;
}

export const containerName = (c: ContainerSummary) => (c.Names[0] ?? '').replace(/^\//, '') || shortId(c.Id);

export function containerRows(cs: readonly ContainerSummary[], showAll: boolean): ContainerRow[] {
  const out: ContainerRow[] = [];
  for (const c of cs) {
    if (!showAll && c.State !== 'running' && c.State !== 'paused' && c.State !== 'restarting') continue;
    const name = containerName(c);
    // the compose project and service too: filtering on a project's name keeps its containers
    const compose = `${c.Labels?.['com.docker.compose.project'] ?? ''} ${c.Labels?.['com.docker.compose.service'] ?? ''}`;
    const search = `${name} ${c.Image} ${shortId(c.Id)} ${c.State} ${compose}`.trim().toLowerCase();
    out.push({ key: c.Id, ref: c.Id, name, c, search });
  }
  return out;
}

export function imageRows(images: readonly ImageSummary[]): ImageRow[] {
  const out: ImageRow[] = [];
  for (const img of images) {
    const id = shortId(img.Id);
    if (!img.RepoTags.length) {
      out.push({ key: img.Id, ref: img.Id, img, repo: '<none>', tag: '<none>', search: `<none> ${id}` });
      continue;
    }
    for (const t of img.RepoTags) {
      const [repo, tag] = splitName(t);
      out.push({ key: `${img.Id}/${t}`, ref: t, img, repo, tag, search: `${t} ${id}`.toLowerCase() });
    }
  }
  return out;
}

/** Which containers use each volume (by name), from the containers' mounts. */
export function volumeUsers(cs: readonly ContainerSummary[]): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const c of cs) {
    for (const mt of c.Mounts) {
      if (mt.Type !== 'volume' || !mt.Name) continue;
      const list = m.get(mt.Name) ?? [];
      list.push(containerName(c));
      m.set(mt.Name, list);
    }
  }
  return m;
}

export function volumeRows(vs: readonly VolumeInfo[], users: Map<string, string[]>): VolumeRow[] {
  return vs.map((v) => ({
    key: v.Name,
    ref: v.Name,
    v,
    users: users.get(v.Name) ?? [],
    search: `${v.Name} ${v.Driver}`.toLowerCase(),
  }));
}

export function networkRows(ns: readonly NetworkResource[]): NetworkRow[] {
  return [...ns]
    .sort((a, b) => a.Name.localeCompare(b.Name, 'en', { numeric: true }))
    .map((n) => ({
      key: n.Id,
      ref: n.Id,
      n,
      search: `${n.Name} ${n.Driver} ${subnetOf(n)} ${shortId(n.Id)}`.toLowerCase(),
    }));
}

/** A network's subnets as `network ls` users look for them ("172.18.0.0/16, fd00::/64"). */
export const subnetOf = (n: NetworkResource) =>
  n.IPAM.Config.map((c) => c.Subnet)
    .filter(Boolean)
    .join(', ');

/** Rows whose text has every word of the filter (case-insensitive). */
export function filterRows<R extends Row>(rows: readonly R[], filter: string): R[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return rows as R[];
  return rows.filter((r) => words.every((w) => r.search.includes(w)));
}

// ---- cells ------------------------------------------------------------------

export const CONTAINER_COLUMNS: Column[] = [
  { key: 'name', title: 'NAME', min: 10, grow: 2, max: 28, priority: 10 },
  { key: 'status', title: 'STATUS', min: 14, grow: 3, max: 26, priority: 9 },
  { key: 'cpu', title: 'CPU %', min: 6, align: 'right', priority: 6 },
  { key: 'mem', title: 'MEM', min: 8, align: 'right', priority: 5 },
  { key: 'image', title: 'IMAGE', min: 8, grow: 1, max: 28, priority: 3 },
  { key: 'ports', title: 'PORTS', min: 12, grow: 2, max: 40, priority: 4 },
];

export const IMAGE_COLUMNS: Column[] = [
  { key: 'name', title: 'REPOSITORY:TAG', min: 14, grow: 4, max: 50, priority: 10 },
  { key: 'id', title: 'IMAGE ID', min: 12, priority: 6 },
  { key: 'size', title: 'SIZE', min: 7, align: 'right', priority: 8 },
  { key: 'created', title: 'CREATED', min: 14, grow: 1, max: 18, priority: 5 },
];

export const NETWORK_COLUMNS: Column[] = [
  { key: 'name', title: 'NAME', min: 10, grow: 3, max: 40, priority: 10 },
  { key: 'driver', title: 'DRIVER', min: 7, priority: 6 },
  { key: 'subnet', title: 'SUBNET', min: 14, grow: 2, max: 36, priority: 8 },
  { key: 'containers', title: 'CONTAINERS', min: 10, align: 'right', priority: 7 },
];

export const VOLUME_COLUMNS: Column[] = [
  { key: 'name', title: 'VOLUME NAME', min: 12, grow: 3, max: 64, priority: 10 },
  { key: 'driver', title: 'DRIVER', min: 6, priority: 4 },
  { key: 'users', title: 'IN USE BY', min: 10, grow: 2, max: 40, priority: 8 },
];

export function containerStatusText(c: ContainerSummary, now: Date): string {
  return (
    c.Status ||
    containerStatus({ status: c.State, exitCode: c.ExitCode, startedAt: c.StartedAt, finishedAt: c.FinishedAt }, now)
  );
}

/** docker stats' CPU % ("0.52%"). */
export const percent = (n: number) => `${n.toFixed(2)}%`;

/** The CPU and MEM cells of a running container's latest sample. */
export const statsCells = (s: StatsSample) => ({ cpu: percent(s.cpuPercent), mem: bytesSize(s.memUsed) });

/** Those cells as one text, to tell whether a batch changed what the list shows. */
export const statsCellsText = (s: StatsSample) => {
  const c = statsCells(s);
  return `${c.cpu} ${c.mem}`;
};

export function containerCells(r: ContainerRow, now: Date, sample: StatsSample | undefined): Record<string, string> {
  const live = r.c.State === 'running' || r.c.State === 'paused';
  const stats = live && sample ? statsCells(sample) : { cpu: '-', mem: '-' };
  return {
    name: (r.depth ? '  ' : '') + cleanText(r.name),
    image: cleanText(r.c.Image),
    status: containerStatusText(r.c, now),
    // the published ones in docker's words, without the every-address prefix: the list is narrow
    ports: displayPorts(r.c.Ports.filter((p) => p.PublicPort)).replace(/\b0\.0\.0\.0:/g, '') || '-',
    ...stats,
  };
}

export function imageCells(r: ImageRow, now: Date): Record<string, string> {
  return {
    name: r.repo === '<none>' ? '<none>:<none>' : cleanText(`${r.repo}:${r.tag}`),
    id: shortId(r.img.Id),
    size: humanSize(r.img.Size),
    created: timeAgo(new Date(r.img.Created * 1000), now),
  };
}

export function volumeCells(r: VolumeRow): Record<string, string> {
  return {
    name: cleanText(r.v.Name),
    driver: cleanText(r.v.Driver),
    users: r.users.length ? cleanText(r.users.join(', ')) : '-',
  };
}

export function networkCells(r: NetworkRow): Record<string, string> {
  return {
    name: cleanText(r.n.Name),
    driver: cleanText(r.n.Driver),
    subnet: subnetOf(r.n) || '-',
    containers: String(Object.keys(r.n.Containers).length),
  };
}
