/** attach (a hijacked connection) and logs (a framed stream) of a container. */
import type { ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AttachSession, LogLine } from '../../client/api.js';
import { checkDetachKeys, pipeSession } from '../attach-pipe.js';
import { badRequest, HttpError, notImplemented } from '../errors.js';
import { MULTIPLEXED_STREAM, RAW_STREAM, muxFrame, STDERR, STDOUT, type Hijacker } from '../hijack.js';
import { boolParam } from '../query.js';
import { writeStream } from '../respond.js';
import { firstStep } from '../early.js';
import type { Ctx, Route } from '../router.js';
import { versionLess } from '../version.js';

interface ContainerFacts {
  id: string;
  tty: boolean;
  running: boolean;
  paused: boolean;
}

async function facts(ctx: Ctx): Promise<ContainerFacts> {
  const doc = await ctx.backend.inspectContainer(ctx.params.id!);
  const st = doc.State as { Running: boolean; Paused: boolean; Restarting: boolean };
  return {
    id: String(doc.Id),
    tty: !!(doc.Config as { Tty?: boolean }).Tty,
    running: st.Running && !st.Restarting,
    paused: st.Paused,
  };
}

/** The media type of a container's output stream: dockerd names the framing from API 1.42 on. */
export function streamType(ctx: Ctx, tty: boolean): string {
  return !tty && !versionLess(ctx.version, '1.42') ? MULTIPLEXED_STREAM : RAW_STREAM;
}

/** Go's RFC3339Nano with all nine digits (docker's --timestamps prefix), UTC. */
export function fixedNanoTime(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${String(ns % 1_000_000_000n).padStart(9, '0')}Z`;
}

function logChunk(line: LogLine, tty: boolean, timestamps: boolean): Buffer {
  const text = timestamps ? `${fixedNanoTime(line.timeNs)} ${line.text}` : line.text;
  const data = Buffer.from(text);
  return tty ? data : muxFrame(line.stream === 'stderr' ? STDERR : STDOUT, data);
}

async function attach(ctx: Ctx, h: Hijacker): Promise<void> {
  const q = ctx.query;
  const detachKeys = checkDetachKeys(q.get('detachKeys'));
  const f = await facts(ctx);
  const want = { stdin: boolParam(q, 'stdin'), stdout: boolParam(q, 'stdout'), stderr: boolParam(q, 'stderr') };
  const logs = boolParam(q, 'logs');
  const stream = boolParam(q, 'stream');
  if (f.paused) throw new HttpError(409, 'You cannot attach to a paused container, unpause it first');
  const client = h.take(streamType(ctx, f.tty));
  if (logs) {
    for await (const line of ctx.backend.containerLogs(f.id, {
      stdout: want.stdout,
      stderr: want.stderr,
      signal: ctx.signal,
    }))
      if (!client.write(logChunk(line, f.tty, false))) await new Promise((r) => client.once('drain', r));
  }
  if (!stream) {
    client.end();
    return;
  }
  const session = await sessionFor(ctx, f, want, client);
  if (!session) return;
  await pipeSession(client, session, {
    tty: f.tty,
    ...want,
    stdin: want.stdin && h.interactive,
    multiplexed: !f.tty,
    detachKeys,
  });
}

/**
 * The session to pipe: at once for a running container; for one not yet
 * started, the session its start through this service hands over, or (when
 * another process starts it) one opened when it is seen running.
 */
async function sessionFor(
  ctx: Ctx,
  f: ContainerFacts,
  want: { stdin: boolean; stdout: boolean; stderr: boolean },
  client: Duplex,
): Promise<AttachSession | null> {
  if (f.running) {
    try {
      return await ctx.backend.attachContainer(f.id, want);
    } catch {
      client.end();
      return null;
    }
  }
  return new Promise((resolve) => {
    let done = false;
    const finish = (s: AttachSession | null) => {
      if (done) {
        s?.close();
        return;
      }
      done = true;
      withdraw();
      clearInterval(poll);
      if (!s) client.destroy();
      resolve(s);
    };
    const withdraw = ctx.state.attaches.add(f.id, { want, deliver: (s) => finish(s) });
    const poll = setInterval(async () => {
      try {
        const now = await facts(ctx);
        if (now.running && !done) {
          const s = await ctx.backend.attachContainer(f.id, want);
          finish(s);
        }
      } catch {
        /* not yet, or gone: the client's end decides */
      }
    }, 500);
    client.once('close', () => finish(null));
  });
}

async function logs(ctx: Ctx, res: ServerResponse): Promise<void> {
  const q = ctx.query;
  const stdout = boolParam(q, 'stdout');
  const stderr = boolParam(q, 'stderr');
  if (!stdout && !stderr) throw badRequest('Bad parameters: you must choose at least one stream');
  const f = await facts(ctx);
  const tailRaw = (q.get('tail') ?? 'all').trim();
  let tail: number | undefined;
  if (tailRaw !== '' && tailRaw !== 'all') {
    if (!/^-?\d+$/.test(tailRaw)) throw badRequest(`invalid value for "tail": "${tailRaw}"`);
    tail = Number(tailRaw) < 0 ? undefined : Number(tailRaw);
  }
  const since = q.get('since') ?? '';
  const until = q.get('until') ?? '';
  const it = ctx.backend
    .containerLogs(f.id, {
      stdout,
      stderr,
      ...(tail !== undefined ? { tail } : {}),
      ...(since && since !== '0' ? { since } : {}),
      ...(until && until !== '0' ? { until } : {}),
      follow: boolParam(q, 'follow'),
      signal: ctx.signal,
    })
    [Symbol.asyncIterator]();
  // a bad time or a log driver that cannot be read is refused before the stream's head
  const { first } = await firstStep(it);
  res.writeHead(200, { 'Content-Type': streamType(ctx, f.tty) });
  res.flushHeaders();
  const timestamps = boolParam(q, 'timestamps');
  for (let r = await first; !r.done; r = await it.next()) await writeStream(res, logChunk(r.value, f.tty, timestamps));
  res.end();
}

export const containerIoRoutes: Route[] = [
  { method: 'POST', pattern: '/containers/:id/attach', hijack: attach },
  {
    method: 'GET',
    pattern: '/containers/:id/attach/ws',
    handler: async () => {
      throw notImplemented('berth does not serve attach over websockets');
    },
  },
  { method: 'GET', pattern: '/containers/:id/logs', handler: logs },
];
