/** GET /containers/{id}/stats: docker's stats documents, streamed once a second, or one answer (stream=false, one-shot). */
import type { ServerResponse } from 'node:http';
import { boolParam, boolParamOr } from '../query.js';
import { sendJson, startStream, writeStream } from '../respond.js';
import type { Ctx, Route } from '../router.js';
import { emptyStatsDoc, statsDoc } from '../shapes/stats-doc.js';

async function stats(ctx: Ctx, res: ServerResponse): Promise<void> {
  const doc = await ctx.backend.inspectContainer(ctx.params.id!);
  const id = String(doc.Id);
  const name = String(doc.Name);
  const running = !!(doc.State as { Running: boolean }).Running;
  const stream = boolParamOr(ctx.query, 'stream', true);
  const oneShot = !stream && boolParam(ctx.query, 'one-shot');
  if (!running) {
    if (!stream) return sendJson(res, 200, emptyStatsDoc(id, name));
    startStream(res);
    await writeStream(res, JSON.stringify(emptyStatsDoc(id, name)) + '\n');
    res.end();
    return;
  }
  const ac = new AbortController();
  ctx.signal.addEventListener('abort', () => ac.abort(), { once: true });
  const samples = ctx.backend.containerStats(id, { intervalMs: oneShot ? 100 : 1000, detail: true, signal: ac.signal });
  if (!stream) {
    for await (const s of samples) {
      ac.abort();
      return sendJson(res, 200, statsDoc(s, name, oneShot));
    }
    return sendJson(res, 200, emptyStatsDoc(id, name));
  }
  startStream(res);
  for await (const s of samples) await writeStream(res, JSON.stringify(statsDoc(s, name)) + '\n');
  res.end();
}

export const containerStatsRoutes: Route[] = [{ method: 'GET', pattern: '/containers/:id/stats', handler: stats }];
