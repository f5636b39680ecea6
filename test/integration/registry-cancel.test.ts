/**
 * A pull cancelled in the middle of a blob (the app's Esc, the CLI's
 * Ctrl-C): the fault proxy holds the big layer after 300 kB while the small
 * ones finish, then the signal fires; or the consumer stops reading. The
 * pull ends with CANCELLED (not a digest mismatch of the bytes that came),
 * the connection is given up, nothing is kept in the store, and the next
 * pull of the same image completes (its pull locks were let go).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmbeddedBackend } from '../../src/client/embedded.js';
import { isBerthError, type ProgressMessage } from '../../src/client/api.js';
import { until } from '../helpers/engine.js';
import { describeIf, fixture, peerSkipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { V1_ID } from '../helpers/facts.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushFixture } from '../helpers/registry-peers.js';

describeIf(peerSkipReason())('a pull cancelled mid-blob', () => {
  let reg: TestRegistry;
  let proxy: FaultProxy;
  let t: TempRoot;
  let b: EmbeddedBackend;
  let big = '';
  beforeAll(async () => {
    reg = await startRegistry();
    const remote = await pushFixture(reg, fixture('layers.docker-save.tar'), 'f/layers:v1', { image: 'bb-layers:v1' });
    big = remote.layers![0]!;
    // the first fetch of the big layer is held after 300 kB
    proxy = await startFaultProxy(reg.host, [{ path: big, fault: { kind: 'stall', afterBytes: 300_000 } }]);
    t = tempRoot('berth-pull-cancel-');
    b = new EmbeddedBackend({ root: t.root, runroot: t.runroot });
  });
  afterAll(async () => {
    await b?.close();
    await proxy?.stop();
    await reg?.stop();
    t?.cleanup();
  });

  const nothingKept = async () => {
    expect(await b.listImages()).toEqual([]);
    for (const d of ['layers', 'tmp', join('blobs', 'sha256')]) {
      const p = join(t.root, d);
      expect(existsSync(p) ? readdirSync(p) : [], d).toEqual([]);
    }
  };

  it('the signal: CANCELLED, the connection given up, nothing kept', async () => {
    const ac = new AbortController();
    const seen: ProgressMessage[] = [];
    const pulling = (async () => {
      for await (const m of b.pullImage(`${proxy.host}/f/layers:v1`, { signal: ac.signal })) seen.push(m);
    })();
    await until(() => proxy.stalled() === 1, 30_000);
    await until(() => seen.some((m) => m.status === 'Downloading' && m.id === big.slice(7, 19)));
    ac.abort();
    const err = await pulling.then(
      () => null,
      (e: unknown) => e,
    );
    expect(isBerthError(err, 'CANCELLED') ? err.code : err).toBe('CANCELLED');
    await until(() => proxy.events.filter((e) => e.abandoned).length === 1);
    await nothingKept();
  });

  it('a consumer that stops reading mid-blob: the pull stops, nothing kept; the next pull completes', async () => {
    for await (const m of b.pullImage(`${proxy.host}/f/layers:v1`)) {
      if (m.status === 'Downloading' && m.id === big.slice(7, 19)) break;
    }
    await nothingKept();
    const statuses: string[] = [];
    for await (const m of b.pullImage(`${proxy.host}/f/layers:v1`)) statuses.push(m.status ?? '');
    expect(statuses).toContain(`Status: Downloaded newer image for ${proxy.host}/f/layers:v1`);
    expect((await b.listImages()).map((i) => i.Id)).toEqual([V1_ID]);
  });
});
