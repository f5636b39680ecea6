/**
 * POST /build: the context tar (maybe compressed) or a Dockerfile as the
 * request body, or a remote context, built by the engine's builder and
 * answered with the classic builder's JSON stream (build-stream.ts), which
 * the docker CLI shows with DOCKER_BUILDKIT=0 and docker-compose 1.29 reads.
 * BuildKit sessions (version=2, what buildx speaks) are not served.
 */
import type { ServerResponse } from 'node:http';
import type { BuildRequest, ContextSource } from '../../client/api.js';
import { ClassicStream } from '../build-stream.js';
import { badRequest, notImplemented } from '../errors.js';
import { MessageStream } from '../message-stream.js';
import { boolParam } from '../query.js';
import type { Ctx } from '../router.js';

/** A JSON object of strings from a query parameter (buildargs, labels); null values dropped as dockerd does. */
function jsonMap(q: URLSearchParams, key: string): Record<string, string> {
  const raw = q.get(key);
  if (!raw) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw badRequest(`invalid ${key}: ${(e as Error).message}`);
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw badRequest(`invalid ${key}: expected a JSON object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === null) continue;
    if (typeof x !== 'string') throw badRequest(`invalid ${key}: the value of ${k} must be a string`);
    out[k] = x;
  }
  return out;
}

/** The Dockerfile's path inside the context: never out of it (dockerd reads it from the context only). */
function dockerfilePath(p: string): string {
  const parts = p.split('/').filter((s) => s && s !== '.');
  if (parts.some((s) => s === '..')) throw badRequest(`the Dockerfile (${p}) must be within the build context`);
  return parts.join('/') || 'Dockerfile';
}

/** Parameters berth's builder cannot honour: 501 naming them, before the context is read. */
function lacking(q: URLSearchParams): string[] {
  const out: string[] = [];
  const set = (k: string) => {
    const v = q.get(k);
    return v !== null && v !== '' && v !== '0' && v !== 'false' && v !== '[]' && v !== '{}' && v !== 'null';
  };
  if (q.get('version') === '2') out.push('BuildKit sessions (version=2): use DOCKER_BUILDKIT=0 or berth build');
  for (const k of ['cachefrom', 'squash', 'extrahosts', 'outputs', 'isolation', 'cpusetcpus', 'cpusetmems'])
    if (set(k)) out.push(k);
  for (const k of ['memory', 'memswap', 'cpushares', 'cpuquota', 'cpuperiod', 'shmsize', 'ulimits'])
    if (set(k)) out.push(`resource limits for RUN steps (${k})`);
  return out;
}

export async function build(ctx: Ctx, res: ServerResponse): Promise<void> {
  const q = ctx.query;
  const missing = lacking(q);
  if (missing.length) {
    ctx.req.resume();
    throw notImplemented(`berth's builder does not support ${missing.join(', ')}`);
  }
  const remote = q.get('remote');
  const source: ContextSource = remote ? { kind: 'url', url: remote } : { kind: 'stdin', stream: ctx.req };
  if (remote) ctx.req.resume();
  const dockerfile = q.get('dockerfile');
  const tags = q.getAll('t').filter(Boolean);
  const network = q.get('networkmode');
  const req: BuildRequest = {
    context: { source, ...(dockerfile ? { dockerfile: { path: dockerfilePath(dockerfile) } } : {}) },
    tags,
    buildArgs: new Map(Object.entries(jsonMap(q, 'buildargs'))),
    noCache: boolParam(q, 'nocache'),
    pull: boolParam(q, 'pull'),
    ...(q.get('target') ? { target: q.get('target')! } : {}),
    ...(q.get('platform') ? { platform: q.get('platform')! } : {}),
    ...(network && network !== 'default' ? { network } : {}),
  };
  const labels = jsonMap(q, 'labels');
  if (Object.keys(labels).length) req.labels = labels;
  const classic = new ClassicStream(tags.map(familiarTag), boolParam(q, 'q'));
  const out = new MessageStream(res);
  try {
    for await (const m of ctx.backend.buildImage(req, { signal: ctx.signal }))
      for (const w of classic.next(m)) await out.send(w);
    out.end();
  } catch (e) {
    // once the stream is open, the failure is its last message (as dockerd's), else an error answer;
    // a RUN step's exit status is the code the docker CLI exits with
    const status = /exit code: (\d+)$/.exec((e as Error)?.message ?? '');
    out.fail(e, status ? Number(status[1]) : undefined);
  }
}

/** "name" as docker shows it in "Successfully tagged": with :latest when no tag was given. */
function familiarTag(t: string): string {
  const slash = t.lastIndexOf('/');
  return t.lastIndexOf(':') > slash || t.includes('@') ? t : `${t}:latest`;
}
