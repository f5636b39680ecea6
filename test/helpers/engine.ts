/** A real engine on a temporary root with the fixture images loaded, for container tests. */
import { createReadStream } from 'node:fs';
import { EmbeddedBackend } from '../../src/client/embedded.js';
import type { AttachSession } from '../../src/client/api.js';
import { fixture, tempRoot, type TempRoot } from './env.js';

export interface TestEngine {
  t: TempRoot;
  b: EmbeddedBackend;
  close(): Promise<void>;
}

export async function testEngine(): Promise<TestEngine> {
  const t = tempRoot('berth-ctr-');
  const b = new EmbeddedBackend({ root: t.root, runroot: t.runroot });
  await b.loadImages(createReadStream(fixture('layers.docker-save.tar')));
  return {
    t,
    b,
    async close() {
      for (const c of await b.listContainers({ all: true }))
        await b.removeContainer(c.Id, { force: true }).catch(() => undefined);
      await b.close();
      t.cleanup();
    },
  };
}

/** Run a container to completion through the engine; returns its output and exit code. */
export async function runIn(
  b: EmbeddedBackend,
  image: string,
  cmd: string[],
  extra: Record<string, unknown> = {},
): Promise<{ stdout: string; stderr: string; code: number; id: string }> {
  const { id } = await b.createContainer({ image, cmd, ...extra });
  const { session } = await b.startContainer(id, { attach: { stdout: true, stderr: true } });
  const out = collect(session!);
  const exit = await session!.exited;
  return { ...out.text(), code: exit?.exitCode ?? -1, id };
}

export function collect(s: AttachSession) {
  const parts: { stream: 1 | 2; data: Buffer }[] = [];
  s.onData((stream, data) => parts.push({ stream, data }));
  return {
    text: () => ({
      stdout: Buffer.concat(parts.filter((p) => p.stream === 1).map((p) => p.data)).toString(),
      stderr: Buffer.concat(parts.filter((p) => p.stream === 2).map((p) => p.data)).toString(),
    }),
  };
}

export async function until(fn: () => Promise<boolean> | boolean, ms = 10_000, step = 25): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, step));
  }
  throw new Error('condition not met in time');
}
