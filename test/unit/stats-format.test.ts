/** `berth stats` presentation: docker's fields and units, the board of rows, the redraw frame; the push stream. */
import { describe, expect, it } from 'vitest';
import type { StatsSample } from '../../src/client/api.js';
import { bytesSize, goFixed, goG, humanSize } from '../../src/client/format/humanize.js';
import { STATS_COLUMNS, STATS_HEADERS, statsRow } from '../../src/client/format/stats.js';
import { renderList } from '../../src/cli/output.js';
import { mergeBatch, redrawFrame, updateNamed } from '../../src/cli/stats-board.js';
import { pushStream, type Sink } from '../../src/engine/stats/push-stream.js';

const MiB = 1024 * 1024;
const ID = 'a60e567c3d9c0123456789abcdef0123456789abcdef0123456789abcdef0123';

function sample(over: Partial<StatsSample> = {}): StatsSample {
  return {
    id: ID,
    name: 's1',
    time: 0,
    cpuPercent: 49.456,
    cpuTotalNs: 0,
    systemNs: 0,
    onlineCpus: 2,
    memUsed: 196 * 1024,
    memLimit: 64 * MiB,
    memPercent: 0.299072265625,
    memFailcnt: 0,
    oomKills: 0,
    netRxBytes: 942,
    netTxBytes: 1_012_000,
    netRxPackets: 9,
    netTxPackets: 10,
    blockRead: 1396736,
    blockWrite: 0,
    pids: 3,
    pidsLimit: null,
    ...over,
  };
}

describe('units as go-units prints them', () => {
  it('rounds an exact tie to even, as Go does', () => {
    expect(goFixed(0.125, 2)).toBe('0.12');
    expect(goFixed(0.375, 2)).toBe('0.38');
    expect(goFixed(12.125, 2)).toBe('12.12');
    expect(goFixed(2.5, 0)).toBe('2');
    expect(goFixed(49.456, 2)).toBe('49.46');
    expect(goFixed(0, 2)).toBe('0.00');
    expect(goG(1.5625, 4)).toBe('1.562');
    expect(goG(1.5635, 4)).toBe('1.563'); // 1.56349999... in binary: no tie, rounds down
    expect(goG(1.5665, 4)).toBe('1.567'); // 1.56650000...0355 in binary: no tie, rounds up
    expect(bytesSize(400 * 4096)).toBe('1.562MiB');
    expect(bytesSize(64 * MiB)).toBe('64MiB');
    expect(bytesSize(196 * 1024)).toBe('196KiB');
    expect(bytesSize(0)).toBe('0B');
    expect(humanSize(1396736)).toBe('1.4MB');
    expect(humanSize(942)).toBe('942B');
    expect(humanSize(1_012_000)).toBe('1.01MB');
    expect(humanSize(1250)).toBe('1.25kB');
  });
});

describe('stats rows', () => {
  it("docker's fields, keys sorted as Go marshals them", () => {
    const row = statsRow({ container: 's1', id: ID, name: 's1', sample: sample() }, true);
    expect(Object.keys(row)).toEqual([
      'BlockIO',
      'CPUPerc',
      'Container',
      'ID',
      'MemPerc',
      'MemUsage',
      'Name',
      'NetIO',
      'PIDs',
    ]);
    expect(row).toEqual({
      BlockIO: '1.4MB / 0B',
      CPUPerc: '49.46%',
      Container: 's1',
      ID: 'a60e567c3d9c',
      MemPerc: '0.30%',
      MemUsage: '196KiB / 64MiB',
      Name: 's1',
      NetIO: '942B / 1.01MB',
      PIDs: '3',
    });
    expect(statsRow({ container: ID, id: ID, name: 's1', sample: sample() }, false).ID).toBe(ID);
  });

  it('a container that is not running shows zeros; no name shows "--"', () => {
    expect(statsRow({ container: 'c', id: ID, name: '', sample: null }, true)).toEqual({
      BlockIO: '0B / 0B',
      CPUPerc: '0.00%',
      Container: 'c',
      ID: 'a60e567c3d9c',
      MemPerc: '0.00%',
      MemUsage: '0B / 0B',
      Name: '--',
      NetIO: '0B / 0B',
      PIDs: '0',
    });
  });

  it("docker's table and headers", () => {
    const rows = [statsRow({ container: 's1', id: ID, name: 's1', sample: sample() }, true)];
    const spec = { columns: STATS_COLUMNS, headers: STATS_HEADERS, idField: 'ID' };
    expect(renderList(rows, spec, {})).toBe(
      'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O         BLOCK I/O    PIDS\n' +
        'a60e567c3d9c   s1        49.46%    196KiB / 64MiB      0.30%     942B / 1.01MB   1.4MB / 0B   3\n',
    );
    expect(renderList(rows, spec, { format: 'table {{.Container}}\t{{.CPUPerc}}' })).toBe(
      'CONTAINER   CPU %\ns1          49.46%\n',
    );
    expect(renderList(rows, spec, { format: '{{.Name}}: {{.MemUsage}}' })).toBe('s1: 196KiB / 64MiB\n');
  });
});

describe('the board', () => {
  const s = (id: string, name = id) => sample({ id, name });

  it('rows keep their place; newcomers are appended; stopped ones leave', () => {
    let b = mergeBatch([], [s('c'), s('b')], null);
    expect(b.map((e) => e.id)).toEqual(['c', 'b']);
    b = mergeBatch(b, [s('d'), s('b'), s('c')], null);
    expect(b.map((e) => e.id)).toEqual(['c', 'b', 'd']);
    b = mergeBatch(b, [s('d'), s('c', 'renamed')], null);
    expect(b.map((e) => [e.id, e.name, e.container])).toEqual([
      ['c', 'renamed', 'c'],
      ['d', 'd', 'd'],
    ]);
  });

  it('-a: stopped containers stay, with zeros', () => {
    const listed = [
      { id: 'c', name: 'c' },
      { id: 'x', name: 'stopped' },
    ];
    const b = mergeBatch([], [s('c')], listed);
    expect(b.map((e) => [e.id, e.name, e.sample ? 'live' : 'zeros'])).toEqual([
      ['c', 'c', 'live'],
      ['x', 'stopped', 'zeros'],
    ]);
    expect(mergeBatch(b, [], [{ id: 'c', name: 'c' }]).map((e) => [e.id, e.sample])).toEqual([['c', null]]);
  });

  it('named containers: a sample, then zeros when stopped', () => {
    const named = [{ container: 'web', id: 'c', name: 'web', sample: null }];
    const b = updateNamed(named, 'c', s('c', 'web'));
    expect(b[0]!.sample?.cpuPercent).toBe(49.456);
    expect(updateNamed(b, 'c', null)[0]).toEqual({ container: 'web', id: 'c', name: 'web', sample: null });
  });

  it("docker's redraw: home, erase each line's rest, erase below", () => {
    expect(redrawFrame('A\nB\n')).toBe('\x1b[HA\x1b[K\nB\x1b[K\n\x1b[K\n\x1b[J');
  });
});

describe('push streams', () => {
  it('delivers what is pushed, keeps only the newest beyond the bound, ends with the source', async () => {
    let sink!: Sink<number>;
    let stopped = 0;
    const it = pushStream<number>((s) => ((sink = s), () => stopped++), undefined, 2);
    const first = it.next();
    sink.push(1);
    expect(await first).toEqual({ value: 1, done: false });
    sink.push(2);
    sink.push(3);
    sink.push(4);
    sink.end();
    const got: number[] = [];
    for await (const v of it) got.push(v);
    expect(got).toEqual([3, 4]);
    expect(stopped).toBe(1);
  });

  it('ends when the signal fires, and with the error the source ends with', async () => {
    const ac = new AbortController();
    let stopped = 0;
    const it = pushStream<number>(() => () => stopped++, ac.signal);
    const next = it.next();
    ac.abort();
    expect(await next).toEqual({ value: undefined, done: true });
    expect(stopped).toBe(1);
    const failing = pushStream<number>((s) => (queueMicrotask(() => s.end(new Error('boom'))), () => undefined));
    await expect(failing.next()).rejects.toThrow('boom');
  });
});
