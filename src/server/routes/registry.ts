/**
 * The registry group: pull (POST /images/create?fromImage=), push, /auth,
 * search and /distribution, through the engine's registry client. Pull and
 * push answer with docker's JSON progress stream; credentials come only from
 * the client (X-Registry-Auth, /auth's body), never from the service's own
 * saved ones, as with dockerd. A client that goes away cancels the transfer.
 */
import type { ServerResponse } from 'node:http';
import { isBerthError, type ProgressMessage } from '../../client/api.js';
import { progressString } from '../../client/format/progress-bar.js';
import { readJson } from '../body.js';
import { badRequest, HttpError, notImplemented } from '../errors.js';
import { MessageStream } from '../message-stream.js';
import { intParam, filtersParam } from '../query.js';
import { credentialsOf, decodeRegistryAuth, pullReference, searchFilters } from '../registry-params.js';
import { sendJson } from '../respond.js';
import type { Ctx, Route } from '../router.js';

const authOf = (ctx: Ctx) => decodeRegistryAuth(ctx.req.headers['x-registry-auth']);

/** A message as dockerd sends it: with the rendered bar beside the byte counts (compose and docker-py print it). */
function wire(m: ProgressMessage): Record<string, unknown> {
  const out: Record<string, unknown> = { ...m };
  const d = m.progressDetail;
  if (d && ((d.current ?? 0) > 0 || (d.total ?? 0) > 0) && !m.progress) out.progress = progressString(d);
  return out;
}

/**
 * How dockerd classes a pull's or a push's failure to authenticate: "pull
 * access denied" is not found (404), anything else about credentials an
 * unknown error (500), never 401, which would make the docker CLI ask for a
 * login interactively instead of printing the registry's words.
 */
function transferError(e: unknown): unknown {
  if (!isBerthError(e, 'UNAUTHORIZED')) return e;
  return new HttpError(e.message.startsWith('pull access denied') ? 404 : 500, e.message);
}

/** Stream a pull's or a push's messages; an error before the first one is a proper error answer. */
async function relay(
  res: ServerResponse,
  messages: AsyncIterable<ProgressMessage>,
  keep: (m: ProgressMessage) => boolean,
): Promise<void> {
  const out = new MessageStream(res);
  try {
    for await (const m of messages) if (keep(m)) await out.send(wire(m));
    out.end();
  } catch (e) {
    out.fail(transferError(e));
  }
}

/** POST /images/create?fromImage=NAME&tag=TAG[&platform=P]. */
export async function pull(ctx: Ctx, res: ServerResponse, fromImage: string): Promise<void> {
  const { ref, allTags } = pullReference(fromImage, ctx.query.get('tag') ?? '');
  const platform = ctx.query.get('platform') || undefined;
  const auth = authOf(ctx);
  // dockerd sends no result message in a pull's stream (its CLI would skip it anyway)
  await relay(
    res,
    ctx.backend.pullImage(ref, { allTags, auth, signal: ctx.signal, ...(platform ? { platform } : {}) }),
    (m) => !m.aux,
  );
}

/** POST /images/{name}/push?tag=TAG: that tag, or every tag of the repository without one. */
async function push(ctx: Ctx, res: ServerResponse): Promise<void> {
  if (ctx.query.get('platform'))
    throw notImplemented('berth pushes the platform an image has; choosing one (platform) is not supported');
  const tag = ctx.query.get('tag') ?? '';
  const name = ctx.params.name!;
  const auth = authOf(ctx);
  ctx.req.resume();
  await relay(
    res,
    ctx.backend.pushImage(tag ? `${name}:${tag}` : name, { allTags: !tag, auth, signal: ctx.signal }),
    () => true,
  );
}

/** POST /auth: the credentials checked against the registry; nothing saved (the client keeps them). */
async function auth(ctx: Ctx, res: ServerResponse): Promise<void> {
  const body = await readJson(ctx.req);
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('expected a JSON object');
  const b = body as Record<string, unknown>;
  const creds = credentialsOf(b, 'auth');
  const server = typeof b.serveraddress === 'string' && b.serveraddress ? b.serveraddress : undefined;
  await ctx.backend.checkLogin(server, creds ?? { username: '', password: '' }, ctx.signal);
  sendJson(res, 200, { IdentityToken: '', Status: 'Login Succeeded' });
}

/** GET /images/search?term=&limit=&filters=: Docker Hub's search, or REGISTRY/TERM through that registry. */
async function search(ctx: Ctx, res: ServerResponse): Promise<void> {
  const term = ctx.query.get('term') ?? '';
  if (!term) throw badRequest('term parameter is required');
  const limit = intParam(ctx.query, 'limit', 25)!;
  if (limit < 1 || limit > 100) throw badRequest(`limit ${limit} is outside the range of [1, 100]`);
  const f = searchFilters(filtersParam(ctx.query));
  const found = await ctx.backend.searchImages(term, { limit, auth: authOf(ctx), signal: ctx.signal });
  sendJson(
    res,
    200,
    found.filter(
      (r) =>
        r.star_count >= f.stars &&
        (f.official === null || r.is_official === f.official) &&
        (f.automated === null || r.is_automated === f.automated),
    ),
  );
}

/** GET /distribution/{name}/json: the manifest's descriptor and platforms, nothing pulled. */
async function distribution(ctx: Ctx, res: ServerResponse): Promise<void> {
  const info = await ctx.backend.inspectDistribution(ctx.params.name!, { auth: authOf(ctx), signal: ctx.signal });
  sendJson(res, 200, { Descriptor: info.descriptor, Platforms: info.platforms });
}

export const registryRoutes: Route[] = [
  { method: 'POST', pattern: '/auth', handler: auth },
  { method: 'GET', pattern: '/images/search', handler: search },
  { method: 'POST', pattern: '/images/:name*/push', handler: push },
  { method: 'GET', pattern: '/distribution/:name*/json', handler: distribution },
];
