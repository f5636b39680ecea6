/**
 * The compose project view's pure parts: grouping the Containers list by
 * project, the orders project actions follow, the cells of a project row,
 * the `service-N` tags and time order of merged logs, and partial lines
 * of several sources in one log buffer.
 */
import { describe, expect, it } from 'vitest';
import type { ContainerSummary, StatsSample } from '../../src/client/api.js';
import { mergeByTime, sinceOf, type SourcedLine } from '../../src/client/merged-logs.js';
import { LogRing, layoutLog } from '../../src/tui/presenters/log-buffer.js';
import {
  groupRows,
  isProjectRow,
  logTags,
  projectCells,
  restartOrder,
  startOrder,
  stopOrder,
  type ProjectRow,
} from '../../src/tui/presenters/projects.js';
import { containerRows, filterRows } from '../../src/tui/presenters/rows.js';

function c(name: string, created: number, state: string, project?: string, service?: string, n = 1): ContainerSummary {
  const labels: Record<string, string> = project
    ? {
        'com.docker.compose.project': project,
        'com.docker.compose.service': service!,
        'com.docker.compose.container-number': String(n),
      }
    : {};
  return {
    Id: `${name}-id`.padEnd(64, '0'),
    Names: [`/${name}`],
    Image: 'bb',
    ImageID: 'sha256:00',
    Command: 'sh',
    Created: created,
    Ports: [],
    Labels: labels,
    State: state,
    Status: state,
    StartedAt: '',
    FinishedAt: '',
    ExitCode: 0,
    RestartCount: 0,
    Pid: 0,
    HostConfig: { NetworkMode: 'default' },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  };
}

const all = [
  c('loner', 5, 'running'),
  c('shop_web_2', 4, 'exited', 'shop', 'web', 2),
  c('shop_web_1', 3, 'running', 'shop', 'web', 1),
  c('shop_db_1', 1, 'running', 'shop', 'db', 1),
  c('blog_app_1', 2, 'exited', 'blog', 'app', 1),
];
const names = (rows: { name: string }[]) => rows.map((r) => r.name);

describe('the Containers list grouped by compose project', () => {
  it('one row per project (by name, "(no project)" last) with its containers under it by service', () => {
    const rows = groupRows(containerRows(all, true), all);
    expect(rows.map((r) => (isProjectRow(r) ? `[${r.name}]` : `  ${r.name}`))).toEqual([
      '[blog]',
      '  blog_app_1',
      '[shop]',
      '  shop_db_1',
      '  shop_web_1',
      '  shop_web_2',
      '[(no project)]',
      '  loner',
    ]);
    const shop = rows[2] as ProjectRow;
    expect([shop.key, shop.services, shop.running, names(shop.members.map((m) => ({ name: m.Names[0]! })))]).toEqual([
      'project:shop',
      2,
      2,
      ['/shop_db_1', '/shop_web_1', '/shop_web_2'],
    ]);
  });

  it('a filter on the project name keeps its containers; a project row stays with all its members', () => {
    const shown = filterRows(containerRows(all, true), 'shop web');
    const rows = groupRows(shown, all);
    expect(rows.map((r) => r.name)).toEqual(['shop', 'shop_web_1', 'shop_web_2']);
    // the project still acts on every container, shown or not
    expect((rows[0] as ProjectRow).members).toHaveLength(3);
    // running only: the project row keeps its total
    const running = groupRows(containerRows(all, false), all);
    expect(running.map((r) => r.name)).toEqual(['shop', 'shop_db_1', 'shop_web_1', '(no project)', 'loner']);
  });

  it("orders: start in creation order, stop the live ones newest first (docker-compose's), restart all", () => {
    const shop = groupRows(containerRows(all, true), all)[2] as ProjectRow;
    const n = (cs: ContainerSummary[]) => cs.map((x) => x.Names[0]!.slice(1));
    expect(n(startOrder(shop.members))).toEqual(['shop_web_2']);
    expect(n(stopOrder(shop.members))).toEqual(['shop_web_1', 'shop_db_1']);
    expect(n(restartOrder(shop.members))).toEqual(['shop_db_1', 'shop_web_1', 'shop_web_2']);
  });

  it("a project row's cells: running / total, services, CPU and memory summed over its live containers", () => {
    const shop = groupRows(containerRows(all, true), all)[2] as ProjectRow;
    const sample = (cpu: number, mem: number) => ({ cpuPercent: cpu, memUsed: mem }) as StatsSample;
    const samples = new Map([
      [all[2]!.Id, sample(1.5, 1024 * 1024)],
      [all[3]!.Id, sample(0.25, 3 * 1024 * 1024)],
    ]);
    expect(projectCells(shop, samples)).toMatchObject({
      name: 'shop',
      status: '2/3 running',
      image: '2 services',
      cpu: '1.75%',
      mem: '4MiB',
    });
    expect(projectCells(shop, new Map())).toMatchObject({ cpu: '-', mem: '-' });
  });
});

describe('merged logs', () => {
  const line = (source: number, ns: bigint, text: string): SourcedLine => ({
    source,
    stream: 'stdout',
    time: '',
    timeNs: ns,
    text: `${text}\n`,
  });

  it('merge each log in time order, equal times in the order of the containers', () => {
    const a = [line(0, 1n, 'a1'), line(0, 5n, 'a2'), line(0, 9n, 'a3')];
    const b = [line(1, 2n, 'b1'), line(1, 5n, 'b2'), line(1, 10n, 'b3')];
    expect(mergeByTime([a, b]).map((l) => l.text.trim())).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
    expect(sinceOf(1_700_000_000_000_000_007n)).toBe('1700000000.000000007');
  });

  it('tags are service-N padded to the widest, coloured by service', () => {
    const shop = groupRows(containerRows(all, true), all)[2] as ProjectRow;
    expect(logTags(shop.members)).toEqual([
      { label: 'db-1 ', hue: 0 },
      { label: 'web-1', hue: 1 },
      { label: 'web-2', hue: 1 },
    ]);
  });

  it('the buffer joins a partial line with the rest from its own source only; rows carry the tag', () => {
    const ring = new LogRing(10);
    ring.push({ stream: 'stdout', time: 't1', timeNs: 1n, text: 'web says ' }, 1);
    ring.push({ stream: 'stdout', time: 't2', timeNs: 2n, text: 'db line\n' }, 0);
    ring.push({ stream: 'stdout', time: 't3', timeNs: 3n, text: 'hello\n' }, 1);
    expect([ring.at(0)!.text, ring.at(1)!.text, ring.size]).toEqual(['web says hello', 'db line', 2]);
    const rows = layoutLog(ring, 1, 40, 5, false, ['db-1 ', 'web-1']);
    expect(rows.map((r) => r.tag + r.text)).toEqual(['web-1 | web says hello', 'db-1  | db line']);
    // a wrapped line keeps the bar on its next rows
    const narrow = layoutLog(ring, 0, 14, 5, false, ['db-1 ', 'web-1']);
    expect(narrow.map((r) => r.tag + r.text)).toEqual(['web-1 | web sa', '      | ys hel', '      | lo']);
  });
});
