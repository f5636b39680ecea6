/**
 * One step: open what it reads, key it, reuse the cached result when the
 * key is known and its layers are still there (progress says CACHED), else
 * run it (RUN as a container, COPY/ADD and WORKDIR into a new tree), make
 * its layer and record it. Failures carry the step's lines and, for RUN,
 * the last lines of its output, for docker's error display.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../errors.js';
import { extractTar } from '../../layer/extract.js';
import { resolveUser } from '../../runtime/user.js';
import { formatRFC3339Nano } from '../../util/time.js';
import { BuildCacheDb } from '../cache/cache-db.js';
import { stepKey } from '../cache/keys.js';
import { archiveBytes, openArchiveStream } from '../fs/archive-probe.js';
import { copySource, TreeWriter, type Owner } from '../fs/copy.js';
import { EMPTY_VIEW, resolveIn, statIn, type FsView } from '../fs/view.js';
import type { CopyStep, MkdirStep, PlanStep, RunStep } from '../plan/types.js';
import { VertexHandle, type Emit } from '../progress.js';
import { StepError } from '../errors.js';
import type { DependsTracker } from '../replay/depends.js';
import { commitStepLayer, layerFromTree, type TreeKnown } from './layer.js';
import { RunFailed, runContainer } from './run.js';
import { StepSources, type SourceContext, type StageResult } from './sources.js';

export interface StepEnv extends SourceContext {
  scratch: string;
  trash: string;
  noCache: boolean;
  secrets: ReadonlyMap<string, Buffer>;
  emit: Emit;
  nextDir(): string;
  /** What the result depends on, when the build gathers it. */
  track?: DependsTracker;
}

const LOG_LINES = 10;

function readText(view: FsView, path: string): string | null {
  const rel = resolveIn(view, path, true);
  const st = view.lstat(rel);
  if (!st?.isFile()) return null;
  try {
    return readFileSync(view.hostPath(rel), 'utf8');
  } catch {
    return null;
  }
}

/** BuildKit's chown (llb.WithUser): names from the rootfs below, a numeric user alone is also the group. */
export function chownOwner(spec: string, view: FsView): Owner {
  const [u = '', g] = spec.split(':', 2);
  const passwd = readText(view, 'etc/passwd');
  const group = readText(view, 'etc/group');
  const user = resolveUser(spec, passwd, group);
  const gid = g !== undefined && g !== '' ? user.gid : /^\d+$/.test(u) ? Number(u) : user.gid;
  return { uid: user.uid, gid };
}

function cached(env: StepEnv, parent: StageResult, key: string): StageResult | null {
  if (env.noCache) return null;
  const db = new BuildCacheDb(env.store.db);
  const rec = db.get(key);
  if (!rec) return null;
  const row = env.store.images.layer(rec.chainId);
  if (!row || row.parent !== (parent.chains[parent.chains.length - 1] ?? null)) return null;
  if (!existsSync(env.store.layout.layerDiff(rec.chainId.slice(7)))) return null;
  db.touch(key, Date.now());
  return {
    key,
    chains: [...parent.chains, rec.chainId],
    layers: [...parent.layers, { diffId: rec.diffId, createdAt: rec.createdAt }],
  };
}

async function runStep(
  env: StepEnv,
  step: RunStep,
  parent: StageResult,
  dir: string,
  v: VertexHandle,
  logs: string[],
  src: StepSources,
): Promise<string> {
  let partial = '';
  const r = await runContainer({
    store: env.store,
    dir,
    step,
    chains: parent.chains,
    sources: {
      context: env.context.view,
      contextFiltered: !!env.context.matcher,
      rootfs: async (m) => (await src.viewOf(m.src!)).view,
      secrets: env.secrets,
    },
    onOutput: (stream, data) => {
      const text = data.toString('utf8');
      v.log(stream, text);
      const lines = (partial + text).split('\n');
      partial = lines.pop()!;
      logs.push(...lines);
      if (logs.length > 200) logs.splice(0, logs.length - 200);
    },
    signal: env.signal,
  }).catch((e: unknown) => {
    if (e instanceof RunFailed) {
      logs.push(e.message);
      return { upper: '', exitCode: e.exitCode };
    }
    throw e;
  });
  if (partial) logs.push(partial);
  if (r.exitCode !== 0)
    throw new BerthError(
      'RUNTIME',
      `process "${step.args.join(' ')}" did not complete successfully: exit code: ${r.exitCode}`,
    );
  return r.upper;
}

async function copyStep(
  env: StepEnv,
  step: CopyStep,
  parent: StageResult,
  dir: string,
  src: StepSources,
  opened: Awaited<ReturnType<StepSources['source']>>[],
): Promise<{ tree: string; known: TreeKnown | null }> {
  const tree = join(dir, 'tree');
  mkdirSync(tree);
  const lower = step.link ? EMPTY_VIEW : src.rootfs(parent.chains);
  const w = new TreeWriter(tree, lower, { defer: true });
  const owner = step.chown ? chownOwner(step.chown, step.link ? src.rootfs(parent.chains) : w.merged) : null;
  for (const { open } of opened) {
    await open.fetch?.();
    for (const path of open.paths) {
      const opts = {
        chown: owner,
        keepOwners: open.owners,
        ...(step.chmod !== undefined ? { chmod: step.chmod } : {}),
        exclude: open.exclude ?? null,
        signal: env.signal,
        memo: env.reads,
      };
      const rel = resolveIn(open.view, path, true);
      if (
        step.add &&
        !open.noUnpack &&
        open.view.lstat(rel)?.isFile() &&
        (await openArchiveStream(open.view.hostPath(rel)))
      ) {
        const destDir = resolveIn(w.merged, step.dest, true);
        w.mkdirAll(destDir, 0o755, owner);
        w.untrack();
        await extractTar(await archiveBytes(open.view.hostPath(rel)), w.host(destDir), {
          keepOwners: !owner,
          ...(owner ? { owner } : {}),
        });
        continue;
      }
      copySource(w, open.view, path, step.dest, opts);
    }
  }
  return { tree, known: w.known() };
}

function mkdirStep(step: MkdirStep, parent: StageResult, dir: string, src: StepSources): string {
  const tree = join(dir, 'tree');
  mkdirSync(tree);
  const w = new TreeWriter(tree, src.rootfs(parent.chains));
  if (statIn(w.merged, step.path)?.isDirectory()) return tree;
  const owner = step.user ? chownOwner(step.user, w.merged) : null;
  w.mkdirAll(resolveIn(w.merged, step.path, true), 0o755, owner);
  return tree;
}

export async function executeStep(env: StepEnv, planStep: PlanStep, parent: StageResult): Promise<StageResult> {
  const v = new VertexHandle(env.emit, 'sha256:' + randomBytes(32).toString('hex'), planStep.name).start();
  const src = new StepSources(env, env.nextDir());
  const logs: string[] = [];
  const step = planStep.step;
  try {
    const inputs: string[] = [];
    const opened: Awaited<ReturnType<StepSources['source']>>[] = [];
    if (step.op === 'copy') {
      let n = 0;
      for (const s of step.sources) {
        const o = await src.source(s, step.exclude, n++);
        opened.push(o);
        inputs.push(...o.inputs);
      }
    } else if (step.op === 'run') {
      for (const m of step.mounts) {
        if (m.type !== 'bind') continue;
        const o = await src.source(
          m.src?.kind === 'stage'
            ? { kind: 'stage', index: m.src.index, path: '/' + m.source }
            : m.src?.kind === 'image'
              ? { kind: 'image', ref: m.src.ref, path: '/' + m.source }
              : { kind: 'context', path: '/' + m.source },
          [],
          0,
        );
        inputs.push(...o.inputs);
      }
    }
    if (step.op === 'copy' && step.sources.some((s) => s.kind === 'url' || s.kind === 'git'))
      env.track?.unreplayable('a source is a URL');
    const key = stepKey(parent.key, step, inputs);
    const hit = cached(env, parent, key);
    if (hit) {
      env.track?.step(key, hit.chains[hit.chains.length - 1]!, true);
      v.done(true);
      return hit;
    }
    let tree: string;
    let known: TreeKnown | null = null;
    const dir = src.dir;
    if (step.op === 'run') tree = await runStep(env, step, parent, dir, v, logs, src);
    else if (step.op === 'copy') ({ tree, known } = await copyStep(env, step, parent, dir, src, opened));
    else tree = mkdirStep(step, parent, dir, src);
    src.close();
    const layer = await layerFromTree(env.store, dir, tree, step.op === 'run', env.signal, known);
    const createdAt = formatRFC3339Nano(new Date());
    const chain = await commitStepLayer(
      env.store,
      parent.chains,
      layer,
      { key, description: planStep.name, createdAt },
      env.trash,
    );
    env.track?.step(key, chain, false);
    v.done();
    return { key, chains: [...parent.chains, chain], layers: [...parent.layers, { diffId: layer.diffId, createdAt }] };
  } catch (e) {
    const cancelled = env.signal.aborted;
    const msg = cancelled ? 'context canceled' : (e as Error).message;
    v.fail(msg);
    if (cancelled) throw new BerthError('CANCELLED', 'build cancelled', { cause: e });
    const code = e instanceof BerthError ? e.code : 'RUNTIME';
    throw new StepError(msg, planStep.name, planStep.loc, logs.slice(-LOG_LINES), { cause: e, code });
  } finally {
    src.dispose();
  }
}
