/**
 * Cache keys, as BuildKit keys its cache: a step's key is a digest of its
 * parent's key, everything in the step that decides its result, and the
 * content checksums of what it reads (COPY/ADD sources, bind mounts). Proxy
 * variables and secrets' contents are left out (BuildKit leaves them out
 * too); the Dockerfile's text, its line numbers and comments are not in it,
 * so a change that does not change a step keeps its cache. Pure.
 */
import { createHash } from 'node:crypto';
import type { StepOp } from '../plan/types.js';

const VERSION = 'berth-build-cache-1';

/** The parts of a step the key covers. */
function keyView(step: StepOp): unknown {
  switch (step.op) {
    case 'run':
      return {
        op: 'run',
        args: step.args,
        env: step.env,
        user: step.user,
        cwd: step.cwd,
        network: step.network,
        security: step.security,
        mounts: step.mounts.map((m) => ({
          type: m.type,
          target: m.target,
          readonly: m.readonly,
          source: m.source,
          from: m.from,
          ...(m.type === 'cache' ? { id: m.id, sharing: m.sharing } : {}),
          ...(m.type === 'secret' ? { id: m.id, env: m.env ?? null, required: m.required } : {}),
          ...(m.type === 'tmpfs' ? { size: m.size } : {}),
          mode: m.mode ?? null,
          uid: m.uid ?? null,
          gid: m.gid ?? null,
        })),
        script: step.script ?? null,
      };
    case 'copy':
      return {
        op: step.add ? 'add' : 'copy',
        dest: step.dest,
        chown: step.chown ?? null,
        chmod: step.chmod ?? null,
        link: step.link,
        exclude: step.exclude,
        // keys of --exclude steps made before the copy left the excluded files out (the key did)
        // named layers that hold them: those are not reused
        ...(step.exclude.length ? { excludeCopied: true } : {}),
        sources: step.sources,
      };
    case 'mkdir':
      return { op: 'mkdir', path: step.path, user: step.user };
  }
}

/** The key of a step on top of `parent`, given the checksums of what it reads (in source order). */
export function stepKey(parent: string, step: StepOp, inputs: string[]): string {
  const h = createHash('sha256');
  h.update(JSON.stringify([VERSION, parent, keyView(step), inputs]));
  return 'sha256:' + h.digest('hex');
}

/** The key of a stage's starting point. */
export const baseKey = (base: { kind: 'scratch' } | { kind: 'image'; id: string } | { kind: 'stage'; key: string }) =>
  base.kind === 'scratch' ? 'scratch' : base.kind === 'image' ? `image:${base.id}` : base.key;
