/**
 * A unix-socket relay in front of an engine's socket, so a test can break
 * the link: drop() ends every connection at once (a peer gone), and
 * holdAfter(n) stops relaying an answer after n bytes (a link that
 * stalls mid-stream) until drop().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface UnixProxy {
  /** unix://... for -H. */
  url: string;
  /** Connections made so far. */
  connections(): number;
  holdAfter(bytes: number): void;
  drop(): void;
  close(): Promise<void>;
}

export async function unixProxy(target: string): Promise<UnixProxy> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-proxy-'));
  const path = join(dir, 'engine.sock');
  const live = new Set<Socket>();
  let made = 0;
  let hold = Infinity;
  const server = createServer((client) => {
    made++;
    const upstream = connect(target);
    live.add(client);
    live.add(upstream);
    let relayed = 0;
    client.pipe(upstream);
    upstream.on('data', (d: Buffer) => {
      if (relayed >= hold) return;
      const room = hold - relayed;
      relayed += d.length;
      client.write(room < d.length ? d.subarray(0, room) : d);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      live.delete(client);
      live.delete(upstream);
    };
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  const drop = () => {
    for (const s of live) s.destroy();
    live.clear();
  };
  return {
    url: `unix://${path}`,
    connections: () => made,
    holdAfter(bytes) {
      hold = bytes;
    },
    drop,
    async close() {
      drop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
