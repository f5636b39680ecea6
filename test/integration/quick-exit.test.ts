/**
 * A run so quick that it ends before the process that started it has
 * recorded the start. Another process may then see the whole run first: the
 * monitor's exit command of an --rm container, which records the end and
 * removes the container. Before the fix, that observer recorded no `die`
 * (it took the record's "created" for "never ran"), so a `docker run --rm`
 * through the API service waiting for the removal got exit status 0 instead
 * of the command's (the compatibility run saw it once under load: run
 * --read-only gave 0, not 1). The engine's test seam holds the starter at
 * that moment, so the order is certain here.
 */
import { createReadStream } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Engine } from '../../src/engine/engine.js';
import { describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { until } from '../helpers/engine.js';

describeIf(skipReason())('a run that ends before its start is recorded', () => {
  let t: TempRoot;
  let observer: Engine;
  beforeAll(async () => {
    t = tempRoot('berth-quick-exit-');
    observer = Engine.open({ root: t.root, runroot: t.runroot });
    await observer.loadImages(createReadStream(fixture('layers.docker-save.tar')));
  });
  afterAll(() => {
    observer?.close();
    t?.cleanup();
  });

  /** An engine whose starts wait, after the monitor started the process, until `seen` says the run is over. */
  const starter = (seen: (id: string) => Promise<void>) =>
    Engine.open({ root: t.root, runroot: t.runroot, afterMonitorStart: seen });

  const eventsOf = async (id: string, since: number) => {
    const out: string[] = [];
    for await (const e of observer.events({ since, until: Date.now() + 50 }))
      if (e.Actor.ID === id) out.push(e.Action === 'die' ? `die ${e.Actor.Attributes.exitCode}` : e.Action);
    return out;
  };

  it('an --rm container removed by its exit command: the wait for its removal gives its exit status', async () => {
    const since = Date.now();
    const s = starter(async (id) => {
      // the exit command's work, done by another engine once the process has ended
      await until(async () => !(await isRunningNow(observer, id)));
      await observer.cleanupContainer(id);
    });
    try {
      const { id } = s.createContainer({ image: 'bb', cmd: ['sh', '-c', 'exit 3'], autoRemove: true, network: 'none' });
      const waiting = observer.waitContainer(id, undefined, 'removed');
      await s.startContainer(id);
      expect(await waiting).toEqual({ exitCode: 3, error: '' });
      expect(observer.listContainers({ all: true }).map((c) => c.Id)).not.toContain(id);
      expect(await eventsOf(id, since)).toEqual(['create', 'start', 'die 3', 'destroy']);
    } finally {
      s.close();
    }
  });

  it('a container another process saw exit first: one start and one die, and the state stays exited', async () => {
    const since = Date.now();
    const s = starter(async (id) => {
      await until(async () => !(await isRunningNow(observer, id)));
    });
    try {
      const { id } = s.createContainer({ image: 'bb', cmd: ['sh', '-c', 'exit 4'], network: 'none' });
      await s.startContainer(id);
      const st = observer.inspectContainer(id).State as { Status: string; ExitCode: number };
      expect([st.Status, st.ExitCode]).toEqual(['exited', 4]);
      expect(await eventsOf(id, since)).toEqual(['create', 'start', 'die 4']);
    } finally {
      s.close();
    }
  });
});

/** Whether the container's process runs, as a reader in another process finds it (persisting an end it sees). */
async function isRunningNow(e: Engine, id: string): Promise<boolean> {
  const st = e.inspectContainer(id).State as { Running: boolean };
  return st.Running;
}
