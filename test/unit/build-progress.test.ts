/** Build progress as buildx shows it: plain lines, the terminal frame, the error display. Pure. */
import { describe, expect, it } from 'vitest';
import { BuildProgress, formatBuildError } from '../../src/client/format/build-progress.js';
import type { SolveStatus } from '../../src/client/api.js';

const at = (ms: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, 0, ms)).toISOString();

function feed(p: BuildProgress, updates: SolveStatus[]): string[] {
  return updates.flatMap((u) => p.apply(u));
}

describe('build progress', () => {
  const updates: SolveStatus[] = [
    { vertexes: [{ digest: 'a', name: '[internal] load build definition from Dockerfile', started: at(0) }] },
    {
      statuses: [
        {
          id: 't',
          vertex: 'a',
          name: 'transferring dockerfile: 80B',
          current: 80,
          timestamp: at(10),
          started: at(0),
          completed: at(10),
        },
      ],
    },
    {
      vertexes: [
        { digest: 'a', name: '[internal] load build definition from Dockerfile', started: at(0), completed: at(20) },
      ],
    },
    { vertexes: [{ digest: 'b', name: '[2/3] RUN echo hi', started: at(100) }] },
    { logs: [{ vertex: 'b', stream: 1, data: 'hi\npart', timestamp: at(315) }] },
    { logs: [{ vertex: 'b', stream: 2, data: 'ial\n', timestamp: at(400) }] },
    { vertexes: [{ digest: 'c', name: '[3/3] COPY a /a', started: at(500), completed: at(500), cached: true }] },
    { vertexes: [{ digest: 'b', name: '[2/3] RUN echo hi', started: at(100), completed: at(1400) }] },
  ];

  it('plain: #N lines grouped by vertex, output with its time, DONE and CACHED', () => {
    const p = new BuildProgress();
    expect(feed(p, updates)).toEqual([
      '#1 [internal] load build definition from Dockerfile',
      '#1 transferring dockerfile: 80B done',
      '#1 DONE 0.0s',
      '',
      '#2 [2/3] RUN echo hi',
      '#2 0.215 hi',
      '#2 0.300 partial',
      '',
      '#3 [3/3] COPY a /a',
      '#3 CACHED',
      '',
      '#2 DONE 1.3s',
    ]);
  });

  it("the terminal frame: a line per step with its time, the running step's last output lines", () => {
    const p = new BuildProgress();
    feed(p, updates.slice(0, 6));
    const running = p.frame(Date.parse(at(900)), 60);
    expect(running.slice(1)).toEqual([
      ' => [internal] load build definition from Dockerfile    0.0s',
      ' => => transferring dockerfile: 80B                     0.0s',
      ' => [2/3] RUN echo hi                                   0.8s',
      ' => => # hi',
      ' => => # partial',
    ]);
    expect(running[0]).toMatch(/^\[\+\] Building [\d.]+s \(1\/2\)$/);
    feed(p, updates.slice(6));
    const done = p.frame(Date.parse(at(2000)), 60, true);
    expect(done.slice(3)).toEqual([
      ' => [2/3] RUN echo hi                                   1.3s',
      ' => CACHED [3/3] COPY a /a                              0.0s',
    ]);
    expect(done[0]).toMatch(/ \(3\/3\) FINISHED$/);
    // long names are cut to the width
    const q = new BuildProgress();
    q.apply({ vertexes: [{ digest: 'x', name: 'RUN ' + 'y'.repeat(100), started: at(0) }] });
    expect(q.frame(Date.parse(at(0)), 40)[1]!.length).toBe(40);
  });

  it("errors: the failed step's output, the Dockerfile lines, ERROR: failed to solve", () => {
    expect(
      formatBuildError({
        message: 'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
        source: { name: 'Dockerfile', lines: ['FROM bb', 'RUN true', '', 'RUN exit 3', 'CMD x'], start: 4, end: 4 },
        vertex: '[3/3] RUN exit 3',
        logs: ['some output'],
        solve: true,
      }),
    ).toEqual([
      '------',
      ' > [3/3] RUN exit 3:',
      'some output',
      '------',
      'Dockerfile:4',
      '--------------------',
      '   2 |     RUN true',
      '   3 |',
      '   4 | >>> RUN exit 3',
      '   5 |     CMD x',
      '--------------------',
      'ERROR: failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3',
    ]);
    expect(formatBuildError({ message: 'unable to prepare context: path "x" not found', solve: false })).toEqual([
      'ERROR: unable to prepare context: path "x" not found',
    ]);
  });
});
