/**
 * A build from start to image: the context and Dockerfile read, the plan
 * made (base images looked up, their metadata loaded), the stages the
 * target needs run (each as soon as the stages it needs are done, so
 * independent stages run in parallel, as BuildKit runs them), and the
 * target's image committed and named. Progress goes out as BuildKit's
 * vertexes. Everything temporary lives in one scratch directory that is
 * removed at the end, also when the build fails or is cancelled.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BerthError, invalidArg } from '../../errors.js';
import { hostArchitecture } from '../../archive/import.js';
import type { Platform } from '../../image/platform.js';
import { normalizedString, parseRepoTag, withDefaultTag } from '../../reference/reference.js';
import { makeScratch, removeTree } from '../../store/scratch.js';
import type { Store } from '../../store/store.js';
import { baseKey } from '../cache/keys.js';
import { openContext, type ContextInput } from '../context.js';
import type { BaseImage } from '../plan/dispatch.js';
import { plan } from '../plan/plan.js';
import type { BuildPlan, PlannedStage } from '../plan/types.js';
import { TRACE_ID, VertexHandle, type Emit } from '../progress.js';
import { withSource } from '../errors.js';
import { ReadMemo } from '../fs/reads.js';
import { DependsTracker } from '../replay/depends.js';
import { commitImage, imageConfigBytes } from './image.js';
import type { StageResult } from './sources.js';
import { executeStep, type StepEnv } from './step.js';

export interface BuildRequest {
  context: ContextInput;
  /** -t values as typed. */
  tags: string[];
  buildArgs: ReadonlyMap<string, string>;
  target?: string;
  noCache?: boolean;
  pull?: boolean;
  labels?: Record<string, string>;
  platform?: string;
  network?: string;
  secrets?: ReadonlyMap<string, Buffer>;
  /** Nothing but the image ID is wanted (the API's q; a remote engine then streams no steps). */
  quiet?: boolean;
  /**
   * Gather what the result depends on: the last message then carries it as `aux.Depends`
   * (replay/depends.ts), for a build replay record (replay/record.ts).
   */
  record?: boolean;
}

export interface BuildDeps {
  store: Store;
  /** Find an image for FROM or COPY --from (the store; a pull when the engine can). */
  resolveImage(ref: string, platform: Platform, pull: boolean, emit: Emit, signal: AbortSignal): Promise<BaseImage>;
}

const FULL_ID = /^(sha256:)?[0-9a-f]{64}$/;

const digest = () => 'sha256:' + randomBytes(32).toString('hex');

export function normalizeTags(tags: string[]): string[] {
  return tags.map((t) => {
    try {
      return normalizedString(withDefaultTag(parseRepoTag(t)));
    } catch (e) {
      throw invalidArg(`invalid argument "${t}" for "-t, --tag" flag: ${(e as Error).message}`, e);
    }
  });
}

function usesContext(p: BuildPlan): boolean {
  return p.stages.some((s) =>
    s.steps.some(
      ({ step }) =>
        (step.op === 'copy' && step.sources.some((x) => x.kind === 'context')) ||
        (step.op === 'run' && step.mounts.some((m) => m.type === 'bind' && !m.src)),
    ),
  );
}

/** Run the build; resolves to the image ID. */
export async function runBuild(deps: BuildDeps, req: BuildRequest, emit: Emit, signal: AbortSignal): Promise<string> {
  const { store } = deps;
  const track = req.record ? new DependsTracker(Date.now()) : null;
  if (req.pull) track?.unreplayable('--pull');
  if (req.secrets?.size) track?.unreplayable('secrets');
  const tags = normalizeTags(req.tags);
  const scratch = makeScratch(store.layout.tmpDir, 'build');
  const trash = join(scratch, 'trash');
  mkdirSync(trash);
  let dirs = 0;
  let dockerfile: { name: string; text: string } | null = null;
  const inner = new AbortController();
  const onAbort = () => inner.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const ctx = await openContext(req.context, scratch, inner.signal);
    dockerfile = { name: ctx.dockerfileName, text: ctx.dockerfile };
    if (track) {
      ctx.view.touched = new Set();
      ctx.view.seen = new Map();
      track.context(ctx.dir, ctx.hostFiles, ctx.view.touched, ctx.view.seen);
    }
    const vdef = new VertexHandle(
      emit,
      digest(),
      `[internal] load build definition from ${ctx.dockerfileName}`,
    ).start();
    vdef.status(
      'transferring',
      `transferring dockerfile: ${ctx.dockerfileBytes}B`,
      ctx.dockerfileBytes,
      undefined,
      true,
    );
    vdef.done();
    const vign = new VertexHandle(emit, digest(), '[internal] load .dockerignore').start();
    vign.status(
      'transferring',
      `transferring context: ${ctx.ignoreBytes || 2}B`,
      ctx.ignoreBytes || 2,
      undefined,
      true,
    );
    vign.done();

    const resolved = await plan(
      {
        dockerfile: ctx.dockerfile,
        buildArgs: req.buildArgs,
        ...(req.target ? { target: req.target } : {}),
        ...(req.platform ? { platform: req.platform } : {}),
        labels: req.labels ?? {},
        network: req.network ?? 'default',
        hostArch: hostArchitecture(),
      },
      async (ref, platform) => {
        const v = new VertexHandle(emit, digest(), `[internal] load metadata for ${displayRef(ref)}`).start();
        // a pull's messages become statuses of this vertex, as BuildKit shows a FROM's layers
        const pulled: Emit = (m) => {
          track?.unreplayable('a base image was pulled');
          if (!m.id || !m.status || m.id.startsWith('moby.')) return;
          const done = /^(Pull complete|Already exists)$/.test(m.status);
          v.status(m.id, `${m.status} ${m.id}`, m.progressDetail?.current ?? 0, m.progressDetail?.total, done);
        };
        try {
          const img = await deps.resolveImage(ref, platform, !!req.pull, pulled, inner.signal);
          // a record checks the base again by its tag: a name the store has as a tag of this image
          track?.base(!FULL_ID.test(ref) && store.images.tagTarget(img.name) === img.id ? img.name : null, img.id);
          v.done();
          return img;
        } catch (e) {
          v.fail((e as Error).message);
          throw e;
        }
      },
    );
    for (const w of resolved.plan.warnings) emit({ id: TRACE_ID, aux: { warnings: [{ vertex: '', short: w }] } });

    const contextSums = new Map<string, string>();
    if (usesContext(resolved.plan)) {
      const v = new VertexHandle(emit, digest(), '[internal] load build context').start();
      v.status('transferring', 'transferring context:', 0, undefined, true);
      v.done();
    }
    const results = new Map<number, Promise<StageResult>>();
    const env: StepEnv = {
      store,
      context: ctx,
      images: resolved.images,
      stage: (i) => results.get(i) ?? Promise.reject(new BerthError('RUNTIME', `stage ${i} is not part of the build`)),
      contextSums,
      reads: new ReadMemo(),
      signal: inner.signal,
      scratch,
      trash,
      noCache: !!req.noCache,
      secrets: req.secrets ?? new Map(),
      emit,
      nextDir: () => join(scratch, `step-${dirs++}`),
      ...(track ? { track } : {}),
    };
    for (const stage of resolved.plan.stages) {
      const p = runStage(env, stage, resolved.images, results);
      p.catch(() => inner.abort(new BerthError('CANCELLED', 'another stage failed')));
      results.set(stage.index, p);
    }
    const settled = await Promise.allSettled([...results.values()]);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      // the first real failure (not a cancellation it caused) is the build's error
      const real = settled.find(
        (s): s is PromiseRejectedResult =>
          s.status === 'rejected' && !(s.reason instanceof BerthError && s.reason.code === 'CANCELLED'),
      );
      throw (real ?? failed).reason;
    }
    const target = resolved.plan.stages.find((s) => s.index === resolved.plan.target)!;
    const result = await results.get(target.index)!;
    const vexp = new VertexHandle(emit, digest(), 'exporting to image').start();
    vexp.status('layers', 'exporting layers', 0, undefined, true);
    const config = imageConfigBytes(target.image, result.layers);
    const id = commitImage(store, config, result.chains, tags);
    vexp.status('image', `writing image ${id}`, 0, undefined, true);
    for (const t of tags) vexp.status(`name-${t}`, `naming to ${t}`, 0, undefined, true);
    vexp.done();
    emit({ aux: { ID: id, ...(track ? { Depends: track.result(id, tags) } : {}) } });
    return id;
  } catch (e) {
    if (signal.aborted) throw new BerthError('CANCELLED', 'build cancelled', { cause: e });
    // errors after the context is read are the solver's (docker: "failed to solve: ...")
    throw dockerfile ? withSource(e, dockerfile.name, dockerfile.text) : e;
  } finally {
    signal.removeEventListener('abort', onAbort);
    dispose(scratch, trash);
  }
}

/**
 * Remove the build's scratch directory. Trees of layers the store already
 * had (a --no-cache rebuild makes the same layer again) can be many files,
 * whose deletion is slow (on a file system mounted with discard, each
 * unlink waits for it) and not part of the result: a detached `rm` takes
 * them. It first renames the directory to a scratch name of its own pid
 * (the shell's `$$`, which `exec rm` keeps), so that a berth opening the
 * store while it works leaves the directory to it instead of removing it
 * in that command's time (sweepScratch removes only entries of dead
 * processes); what a killed `rm` leaves is swept once it is gone. It
 * never crosses into another file system (a mount left in the scratch by a
 * failure: sweepScratch detaches those before it removes anything).
 */
function dispose(scratch: string, trash: string): void {
  let discarded = false;
  try {
    discarded = readdirSync(trash).length > 0;
  } catch {
    /* no trash */
  }
  if (!discarded) return removeTree(scratch);
  try {
    const script = 'd="${1%/*}/w-$$-gone-${1##*-}"; mv -- "$1" "$d" && exec rm -rf --one-file-system -- "$d"';
    const rm = spawn('sh', ['-c', script, 'sh', scratch], { detached: true, stdio: 'ignore' });
    rm.on('error', () => removeTree(scratch));
    rm.unref();
  } catch {
    removeTree(scratch);
  }
}

function displayRef(ref: string): string {
  try {
    return normalizedString(withDefaultTag(parseRepoTag(ref)));
  } catch {
    return ref;
  }
}

async function runStage(
  env: StepEnv,
  stage: PlannedStage,
  images: ReadonlyMap<string, BaseImage>,
  results: Map<number, Promise<StageResult>>,
): Promise<StageResult> {
  await Promise.all(stage.deps.map((d) => results.get(d)!));
  let state: StageResult;
  if (stage.base.kind === 'scratch') state = { key: baseKey({ kind: 'scratch' }), chains: [], layers: [] };
  else if (stage.base.kind === 'stage') state = { ...(await results.get(stage.base.index)!) };
  else {
    const img = images.get(stage.base.ref)!;
    const v = new VertexHandle(env.emit, digest(), stage.fromName || `FROM ${img.name}`).start();
    const layers = env.store.images.layersOf(img.id);
    state = {
      key: baseKey({ kind: 'image', id: img.id }),
      chains: layers.map((l) => l.chainId),
      layers: layers.map((l) => ({ diffId: l.diffId, createdAt: '' })),
    };
    v.done();
  }
  for (const step of stage.steps) {
    if (env.signal.aborted) throw new BerthError('CANCELLED', 'build cancelled');
    state = await executeStep(env, step, state);
  }
  return state;
}
