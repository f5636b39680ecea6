/** Images in and out: save (get), load, import (create from a source; a pull is routes/registry.ts), commit. */
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { TransferProgress } from '../../client/api.js';
import { readJson } from '../body.js';
import { badRequest, notImplemented } from '../errors.js';
import { MessageStream } from '../message-stream.js';
import { boolParam, boolParamOr, requiredParam } from '../query.js';
import { sendJson } from '../respond.js';
import type { Ctx, Route } from '../router.js';
import { pull } from './registry.js';

/**
 * A response whose head goes out with its first byte: an error before any
 * output (an image that does not exist) is still a proper error answer.
 */
function lazyTar(res: ServerResponse): Writable {
  return new Writable({
    write(chunk, _enc, cb) {
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      if (res.write(chunk)) cb();
      else res.once('drain', () => cb());
    },
    final(cb) {
      if (!res.headersSent) res.writeHead(200, { 'Content-Type': 'application/x-tar' });
      res.end(cb);
    },
  });
}

async function save(ctx: Ctx, res: ServerResponse, names: string[]): Promise<void> {
  if (!names.length) throw badRequest('no image names given');
  if (ctx.query.get('platform'))
    throw notImplemented('berth saves the platform an image has; choosing one (platform) is not supported');
  await ctx.backend.saveImages(names, lazyTar(res), { signal: ctx.signal });
}

function progressMessage(status: string, p: TransferProgress): Record<string, unknown> {
  return {
    status,
    progressDetail: { current: p.bytes, ...(p.total ? { total: p.total } : {}) },
    id: (p.current || 'archive').replace(/^sha256:/, '').slice(0, 12),
  };
}

async function load(ctx: Ctx, res: ServerResponse): Promise<void> {
  const quiet = boolParam(ctx.query, 'quiet');
  const out = new MessageStream(res);
  let last = 0;
  try {
    const report = await ctx.backend.loadImages(ctx.req, {
      signal: ctx.signal,
      ...(quiet
        ? {}
        : {
            onProgress: (p) => {
              const now = Date.now();
              if (now - last < 100) return;
              last = now;
              void out.send(progressMessage('Loading layer', p));
            },
          }),
    });
    for (const n of report.notes) await out.send({ stream: `${n}\n` });
    for (const img of report.images) {
      if (!img.tags.length) await out.send({ stream: `Loaded image ID: ${img.id}\n` });
      for (const t of img.tags) await out.send({ stream: `Loaded image: ${t}\n` });
    }
    out.end();
  } catch (e) {
    out.fail(e);
  }
}

/** POST /images/create: pull (fromImage), or import from a source (fromSrc). */
export async function createImage(ctx: Ctx, res: ServerResponse): Promise<void> {
  const q = ctx.query;
  const fromImage = q.get('fromImage');
  const fromSrc = q.get('fromSrc');
  if (fromImage) {
    ctx.req.resume();
    return pull(ctx, res, fromImage);
  }
  if (!fromSrc) throw badRequest('fromImage or fromSrc is required');
  const repo = q.get('repo') ?? '';
  const tag = q.get('tag') ?? '';
  const platform = q.get('platform') || undefined;
  const out = new MessageStream(res);
  try {
    const id = await ctx.backend.importImage(fromSrc === '-' ? ctx.req : fromSrc, {
      changes: q.getAll('changes'),
      ...(q.get('message') ? { message: q.get('message')! } : {}),
      source: fromSrc,
      ...(repo ? { tag: tag ? `${repo}:${tag}` : repo } : {}),
      ...(platform ? { platform } : {}),
      signal: ctx.signal,
    });
    await out.send({ status: id });
    out.end();
  } catch (e) {
    if (!out.started && fromSrc === '-') ctx.req.resume();
    out.fail(e);
  }
}

async function commit(ctx: Ctx, res: ServerResponse): Promise<void> {
  const q = ctx.query;
  const container = requiredParam(q, 'container');
  const body = await readJson(ctx.req);
  if (
    body &&
    typeof body === 'object' &&
    Object.values(body).some((v) => v !== null && v !== '' && !(Array.isArray(v) && !v.length))
  )
    throw notImplemented(
      'berth applies changes given as Dockerfile instructions (changes=); a Config body is not supported',
    );
  const repo = q.get('repo') ?? '';
  const tag = q.get('tag') ?? '';
  const id = await ctx.backend.commitContainer(container, {
    ...(repo ? { repo: tag ? `${repo}:${tag}` : repo } : {}),
    ...(q.get('author') ? { author: q.get('author')! } : {}),
    ...(q.get('comment') ? { message: q.get('comment')! } : {}),
    changes: q
      .getAll('changes')
      .flatMap((c) => c.split('\n'))
      .filter(Boolean),
    pause: boolParamOr(q, 'pause', true),
  });
  sendJson(res, 201, { Id: id });
}

export const imageTransferRoutes: Route[] = [
  { method: 'GET', pattern: '/images/get', handler: (ctx, res) => save(ctx, res, ctx.query.getAll('names')) },
  { method: 'GET', pattern: '/images/:name*/get', handler: (ctx, res) => save(ctx, res, [ctx.params.name!]) },
  { method: 'POST', pattern: '/images/load', handler: load },
  { method: 'POST', pattern: '/commit', handler: commit },
];
