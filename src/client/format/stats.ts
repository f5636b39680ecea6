/**
 * `docker stats` rows, pure: the fields of docker's stats formatter
 * (BlockIO, CPUPerc, Container, ID, MemPerc, MemUsage, Name, NetIO, PIDs)
 * from a sample, with docker's units (MiB for memory, kB/MB for I/O) and
 * headers.
 */
import type { StatsSample } from '../api.js';
import { bytesSize, goFixed, humanSize } from './humanize.js';

export const STATS_HEADERS: Record<string, string> = {
  Container: 'CONTAINER',
  Name: 'NAME',
  ID: 'CONTAINER ID',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

/** docker's default table: ID, Name, CPUPerc, MemUsage, MemPerc, NetIO, BlockIO, PIDs. */
export const STATS_COLUMNS = ['ID', 'Name', 'CPUPerc', 'MemUsage', 'MemPerc', 'NetIO', 'BlockIO', 'PIDs'].map(
  (field) => ({
    header: STATS_HEADERS[field]!,
    field,
  }),
);

export interface StatsRowInput {
  /** What the user named (or the full ID when listing every container): docker's {{.Container}}. */
  container: string;
  id: string;
  name: string;
  /** null: the container is not running, and docker shows zeros for it. */
  sample: StatsSample | null;
}

const percent = (n: number) => `${goFixed(n, 2)}%`;

/** One row, keys in the order Go marshals them (sorted), as `--format json` prints. */
export function statsRow(r: StatsRowInput, trunc: boolean): Record<string, string> {
  const s = r.sample;
  return {
    BlockIO: `${humanSize(s?.blockRead ?? 0)} / ${humanSize(s?.blockWrite ?? 0)}`,
    CPUPerc: percent(s?.cpuPercent ?? 0),
    Container: r.container,
    ID: trunc ? r.id.slice(0, 12) : r.id,
    MemPerc: percent(s?.memPercent ?? 0),
    MemUsage: `${bytesSize(s?.memUsed ?? 0)} / ${bytesSize(s?.memLimit ?? 0)}`,
    Name: r.name || '--',
    NetIO: `${humanSize(s?.netRxBytes ?? 0)} / ${humanSize(s?.netTxBytes ?? 0)}`,
    PIDs: String(s?.pids ?? 0),
  };
}
