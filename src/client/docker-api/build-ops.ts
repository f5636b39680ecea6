/**
 * `build` and `builder prune` over the Docker Engine API, as the docker CLI
 * does with DOCKER_BUILDKIT=0: the context streamed as a tar
 * (build-context.ts) with upload progress, POST /build with docker's query
 * parameters and X-Registry-Config (berth's credentials for the registries
 * the Dockerfile's FROM lines name), and the classic builder's JSON stream
 * passed on (client/format/classic-build.ts shows it). A failure in the
 * stream is one line with docker's exit status (BuildFailure); stopping the
 * iteration or the signal closes the connection, which cancels the build.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { CredentialStore, serverKey } from '../../engine/registry/credentials.js';
import type { BuildRequest } from '../api.js';
import { contextUpload } from '../build-context.js';
import { BerthError, BuildFailure, isBerthError } from '../errors.js';
import { CONTEXT_UPLOAD_ID } from '../format/classic-build.js';
import type { ProgressMessage } from '../types/streams.js';
import { pushStream } from '../../engine/util/push-stream.js';
import { filtersJson, type Connection } from './connection.js';

/** The registry of each base image the Dockerfile names (docker.io for Hub's), stages and `scratch` left out. */
export function baseRegistries(dockerfile: string): string[] {
  const stages = new Set<string>();
  const out = new Set<string>();
  const text = dockerfile.replace(/\\\r?\n/g, ' ');
  for (const m of text.matchAll(/^\s*FROM\s+(.+)$/gim)) {
    const words = m[1]!.trim().split(/\s+/);
    const image = words.find((w) => !w.startsWith('--'));
    const as = words.findIndex((w) => w.toLowerCase() === 'as');
    if (as > 0 && words[as + 1]) stages.add(words[as + 1]!.toLowerCase());
    if (!image || image.includes('$') || image === 'scratch' || stages.has(image.toLowerCase())) continue;
    const slash = image.indexOf('/');
    const first = slash < 0 ? '' : image.slice(0, slash);
    out.add(first && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io');
  }
  return [...out];
}

/** X-Registry-Config: the credentials berth has for those registries (docker's AuthConfig map, base64url JSON). */
export async function registryConfig(registries: string[]): Promise<string> {
  const store = new CredentialStore();
  const cfg: Record<string, Record<string, string>> = {};
  for (const r of registries) {
    const c = await store.get(r).catch(() => null);
    if (!c) continue;
    const key = serverKey(r);
    cfg[key] =
      c.username === '<token>'
        ? { identitytoken: c.secret, serveraddress: key }
        : { username: c.username, password: c.secret, serveraddress: key };
  }
  // base64url with its padding, as Go's URLEncoding writes it (podman's service wants the padding)
  return Buffer.from(JSON.stringify(cfg)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
}

/** Counts what passes; at most ten progress calls a second, and one with the total at the end. */
function counter(report: (bytes: number, done: boolean) => void): Transform {
  let bytes = 0;
  let last = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb: TransformCallback) {
      bytes += chunk.length;
      const now = Date.now();
      if (now - last >= 100) {
        last = now;
        report(bytes, false);
      }
      cb(null, chunk);
    },
    flush(cb: TransformCallback) {
      report(bytes, true);
      cb();
    },
  });
}

const messageOf = (m: ProgressMessage) => (m.errorDetail?.message ?? m.error ?? '').trim();

/** The build: upload progress (CONTEXT_UPLOAD_ID), the engine's messages, and last `{aux: {ID}}`. */
export function build(
  conn: Connection,
  req: BuildRequest,
  o: { signal?: AbortSignal } = {},
): AsyncGenerator<ProgressMessage> {
  return pushStream<ProgressMessage>(
    async (emit, signal) => {
      if (req.secrets?.size)
        throw new BerthError('NOT_SUPPORTED', '--secret needs BuildKit: this engine builds with the classic builder');
      const up = await contextUpload(req.context);
      const registries = up.dockerfileText ? baseRegistries(up.dockerfileText) : [];
      const labels = req.labels && Object.keys(req.labels).length ? JSON.stringify(req.labels) : undefined;
      const query = {
        t: req.tags.length ? req.tags : undefined,
        remote: up.remote,
        dockerfile: up.dockerfile || undefined,
        buildargs: req.buildArgs.size ? JSON.stringify(Object.fromEntries(req.buildArgs)) : undefined,
        labels,
        target: req.target,
        nocache: req.noCache || undefined,
        pull: req.pull || undefined,
        rm: true,
        q: req.quiet || undefined,
        platform: req.platform,
        networkmode: req.network,
        version: '1',
      };
      let body;
      if (up.body) {
        const input = up.body;
        body = input.pipe(
          counter((bytes, done) =>
            emit({
              id: CONTEXT_UPLOAD_ID,
              status: 'Sending build context',
              progressDetail: done ? { current: bytes, total: bytes } : { current: bytes },
            }),
          ),
        );
        input.on('error', (e) => body!.destroy(e));
        signal.addEventListener('abort', () => input.destroy(), { once: true });
      }
      let id = '';
      let short = '';
      try {
        for await (const raw of conn.jsonLines('POST', '/build', {
          query,
          headers: { 'x-registry-config': await registryConfig(registries), 'content-type': 'application/x-tar' },
          ...(body ? { body } : {}),
          signal,
        })) {
          const m = raw as ProgressMessage;
          if (m.error || m.errorDetail) {
            throw new BuildFailure(messageOf(m) || 'the build failed', m.errorDetail?.code || 1);
          }
          if (!m.id && typeof m.aux?.ID === 'string') {
            // given once, last
            id = m.aux.ID;
            continue;
          }
          const built = /^Successfully built ([0-9a-f]+)/m.exec(m.stream ?? '');
          if (built) short = built[1]!;
          // q=1: the engine's only line is the image's ID (podman's without its sha256:)
          const quiet = req.quiet ? /^(?:sha256:)?([0-9a-f]{64})\s*$/.exec(m.stream ?? '') : null;
          if (quiet) id ||= `sha256:${quiet[1]!}`;
          emit(m);
        }
      } catch (e) {
        // the tar could not be read (a file went away while it was sent): that, not the broken request
        const cause = up.body?.errored;
        if (cause && !signal.aborted) throw new BerthError('IO', `error sending the build context: ${cause.message}`);
        // the engine refused the build (a Dockerfile it cannot parse, a parameter it lacks): docker's words
        if (isBerthError(e) && !(e instanceof BuildFailure) && !['UNAVAILABLE', 'CANCELLED'].includes(e.code))
          throw new BuildFailure(`Error response from daemon: ${e.message}`, 1);
        throw e;
      }
      if (signal.aborted) throw new BerthError('CANCELLED', 'build cancelled');
      // an engine that names the image only in its last line (older podman)
      if (!id && short) id = ((await conn.json('GET', `/images/${short}/json`)) as { Id: string }).Id;
      if (!id) throw new BerthError('RUNTIME', 'the engine ended the build without naming an image');
      emit({ aux: { ID: id } });
    },
    o.signal,
    { cancelled: 'build cancelled' },
  );
}

/** `builder prune`: POST /build/prune where the engine has it (NOT_SUPPORTED where it answers 404). */
export async function pruneBuildCache(
  conn: Connection,
  o: { all?: boolean; filters?: Map<string, string[]> } = {},
): Promise<{ deleted: string[]; spaceReclaimed: number }> {
  try {
    const r = (await conn.json('POST', '/build/prune', {
      query: { all: o.all || undefined, filters: filtersJson(o.filters) },
      timeoutMs: 30 * 60_000,
    })) as { CachesDeleted?: string[] | null; SpaceReclaimed?: number } | null;
    return { deleted: r?.CachesDeleted ?? [], spaceReclaimed: r?.SpaceReclaimed ?? 0 };
  } catch (e) {
    if (isBerthError(e, 'NOT_FOUND') && !/cache/i.test(e.message))
      throw new BerthError('NOT_SUPPORTED', `this engine has no build cache to prune (${e.message})`);
    throw e;
  }
}
