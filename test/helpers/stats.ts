/** Running containers to measure, and reading their samples. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddedBackend } from '../../src/client/embedded.js';
import type { StatsSample } from '../../src/client/api.js';

export async function startDetached(
  b: EmbeddedBackend,
  cmd: string[],
  extra: Record<string, unknown> = {},
): Promise<{ id: string; pid: number }> {
  const { id } = await b.createContainer({ image: 'bb', cmd, ...extra });
  await b.startContainer(id);
  const i = (await b.inspectContainer(id)) as { State: { Pid: number } };
  return { id, pid: i.State.Pid };
}

/** A shell command that waits for /ctl/go (a bind-mounted host directory), then runs `then`. */
export const afterGo = (then: string) => [
  'sh',
  '-c',
  `while [ ! -e /ctl/go ]; do sleep 0.05; done; ${then}; sleep 1000`,
];
export const go = (ctlDir: string) => writeFileSync(join(ctlDir, 'go'), '');

/** The next n samples of a container. */
export async function samples(b: EmbeddedBackend, id: string, n: number): Promise<StatsSample[]> {
  const out: StatsSample[] = [];
  for await (const s of b.containerStats(id)) {
    out.push(s);
    if (out.length === n) break;
  }
  return out;
}

/** The first sample that satisfies `pred`, looking at up to `max` samples (one a second). */
export async function sampleWhere(
  b: EmbeddedBackend,
  id: string,
  pred: (s: StatsSample) => boolean,
  max = 30,
): Promise<StatsSample> {
  let last: StatsSample | undefined;
  let n = 0;
  for await (const s of b.containerStats(id)) {
    if (pred(s)) return s;
    last = s;
    if (++n >= max) break;
  }
  throw new Error(
    `no sample of ${id.slice(0, 12)} met the condition in ${n} samples; the last: ${JSON.stringify(last)}`,
  );
}
