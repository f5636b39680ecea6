import type { StatsSample } from '../../src/client/api.js';

/** A StatsSample of container c1 at `time` (ms): zero counters, 1 GiB limit, one PID; `over` sets the rest. */
export function statsSample(time: number, over: Partial<StatsSample> = {}): StatsSample {
  return {
    id: 'c1',
    name: 'web',
    time,
    cpuPercent: 0,
    cpuTotalNs: 0,
    systemNs: 0,
    onlineCpus: 2,
    memUsed: 0,
    memLimit: 1024 * 1024 * 1024,
    memPercent: 0,
    memFailcnt: 0,
    oomKills: 0,
    netRxBytes: 0,
    netTxBytes: 0,
    netRxPackets: 0,
    netTxPackets: 0,
    blockRead: 0,
    blockWrite: 0,
    pids: 1,
    pidsLimit: null,
    ...over,
  };
}
