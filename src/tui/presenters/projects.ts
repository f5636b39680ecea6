/**
 * The Containers list grouped by compose project, as lazydocker's services
 * view: one row per project (from the `com.docker.compose.project` label)
 * with its service containers indented under it, and the containers
 * without the label under "(no project)". Pure: the orders project actions
 * follow, the `service-N |` tags of a project's merged logs, the cells of a
 * project row.
 */
import type { ContainerSummary, StatsSample } from '../../client/api.js';
import { bytesSize } from '../../client/format/humanize.js';
import { cleanText } from './clean-text.js';
import { percent, type ContainerRow, type Row } from './rows.js';

export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';
export const NUMBER_LABEL = 'com.docker.compose.container-number';
export const NO_PROJECT = '(no project)';

export interface ProjectRow extends Row {
  kind: 'project';
  /** The compose project name; '' for the containers without one ("(no project)"). */
  project: string;
  name: string;
  /** Every container of the project (all of them, whatever the list shows), in creation order. */
  members: ContainerSummary[];
  services: number;
  running: number;
}

/** A row of the Containers list: a container, or (grouped) a project. */
export type ContainerListRow = ContainerRow | ProjectRow;

/** The container commands that act on a project row (the Enter menu offers these only there). */
export const PROJECT_COMMANDS: readonly string[] = [
  'container.stop',
  'container.start',
  'container.restart',
  'container.logs',
];

export const isProjectRow = (r: ContainerListRow | null | undefined): r is ProjectRow =>
  !!r && (r as ProjectRow).kind === 'project';

export const projectOf = (c: ContainerSummary): string => c.Labels?.[PROJECT_LABEL] ?? '';
const serviceOf = (c: ContainerSummary): string => c.Labels?.[SERVICE_LABEL] ?? '';
const numberOf = (c: ContainerSummary): number => Number(c.Labels?.[NUMBER_LABEL] ?? '') || 0;

const live = (c: ContainerSummary) => c.State === 'running' || c.State === 'paused' || c.State === 'restarting';

/** Creation order (oldest first); compose's container number, then the name, break ties. */
export function creationOrder(cs: readonly ContainerSummary[]): ContainerSummary[] {
  return [...cs].sort(
    (a, b) =>
      a.Created - b.Created ||
      numberOf(a) - numberOf(b) ||
      (a.Names[0] ?? '').localeCompare(b.Names[0] ?? '') ||
      a.Id.localeCompare(b.Id),
  );
}

/** What a project start starts: its containers not running, in creation order. */
export const startOrder = (members: readonly ContainerSummary[]) =>
  creationOrder(members).filter((c) => c.State !== 'running' && c.State !== 'paused');

/** What a project stop stops: its live containers, newest first (docker-compose stops in reverse creation order). */
export const stopOrder = (members: readonly ContainerSummary[]) => creationOrder(members).filter(live).reverse();

/** What a project restart restarts: every container, in creation order. */
export const restartOrder = (members: readonly ContainerSummary[]) => creationOrder(members);

/** The containers of each project, by project name ('' for none). */
export function projectMembers(all: readonly ContainerSummary[]): Map<string, ContainerSummary[]> {
  const m = new Map<string, ContainerSummary[]>();
  for (const c of all) {
    const p = projectOf(c);
    const list = m.get(p) ?? [];
    list.push(c);
    m.set(p, list);
  }
  for (const [p, cs] of m) m.set(p, creationOrder(cs));
  return m;
}

export const projectKey = (project: string) => `project:${project}`;

/**
 * The grouped list: the shown container rows (already filtered) under a row
 * for their project; projects by name, "(no project)" last; inside a
 * project, by service and container number. A project shows when one of its
 * containers does.
 */
export function groupRows(rows: readonly ContainerRow[], all: readonly ContainerSummary[]): ContainerListRow[] {
  const members = projectMembers(all);
  const shown = new Map<string, ContainerRow[]>();
  for (const r of rows) {
    const p = projectOf(r.c);
    const list = shown.get(p) ?? [];
    list.push(r);
    shown.set(p, list);
  }
  const names = [...shown.keys()].sort((a, b) =>
    a === '' ? 1 : b === '' ? -1 : a.localeCompare(b, 'en', { numeric: true }),
  );
  const out: ContainerListRow[] = [];
  for (const p of names) {
    const ms = members.get(p) ?? [];
    const name = p || NO_PROJECT;
    out.push({
      kind: 'project',
      key: projectKey(p),
      ref: projectKey(p),
      project: p,
      name,
      members: ms,
      services: new Set(ms.map(serviceOf)).size,
      running: ms.filter((c) => c.State === 'running').length,
      search: name.toLowerCase(),
    });
    const inside = [...shown.get(p)!].sort(
      (a, b) =>
        serviceOf(a.c).localeCompare(serviceOf(b.c)) || numberOf(a.c) - numberOf(b.c) || a.name.localeCompare(b.name),
    );
    out.push(...inside.map((r) => ({ ...r, depth: 1 })));
  }
  return out;
}

/** The cells of a project row in the Containers columns. */
export function projectCells(
  r: ProjectRow,
  samples: ReadonlyMap<string, StatsSample | undefined>,
): Record<string, string> {
  let cpu = 0;
  let mem = 0;
  let sampled = 0;
  for (const c of r.members) {
    const s = live(c) ? samples.get(c.Id) : undefined;
    if (!s) continue;
    cpu += s.cpuPercent;
    mem += s.memUsed;
    sampled++;
  }
  return {
    name: cleanText(r.name),
    status: `${r.running}/${r.members.length} running`,
    cpu: sampled ? percent(cpu) : '-',
    mem: sampled ? bytesSize(mem) : '-',
    // the IMAGE column says how many services the project has
    image: r.project ? `${r.services} service${r.services === 1 ? '' : 's'}` : '',
    ports: '',
  };
}

export interface LogTag {
  /** `web-1`, padded to the widest tag of the project. */
  label: string;
  /** Index of the container's service among the project's services (its colour). */
  hue: number;
}

/** The `service-N` tag of each container's lines in merged logs (the container's name when it has no service). */
export function logTags(members: readonly ContainerSummary[]): LogTag[] {
  const services = [...new Set(members.map(serviceOf))].sort();
  const raw = members.map((c) => {
    const svc = serviceOf(c);
    const name = (c.Names[0] ?? '').replace(/^\//, '') || c.Id.slice(0, 12);
    return cleanText(svc ? `${svc}-${numberOf(c) || 1}` : name);
  });
  const w = Math.max(0, ...raw.map((t) => t.length));
  return raw.map((t, i) => ({ label: t.padEnd(w), hue: services.indexOf(serviceOf(members[i]!)) }));
}
