/**
 * The planner's entry: Dockerfile text and build options to a plan, with
 * base images looked up through a callback (the store, or a pull). The
 * loop follows BuildKit's resolveStages: resolve the reachable stages' base
 * images, add their ONBUILD triggers, and again while triggers bring new
 * stages in. Everything but the lookup is pure.
 */
import { invalidArg } from '../../errors.js';
import { parsePlatform, type Platform } from '../../image/platform.js';
import { atLines } from '../dockerfile/errors.js';
import { parseDockerfile } from '../dockerfile/parse.js';
import type { Dockerfile } from '../dockerfile/types.js';
import { globalScope, predefinedArgs, proxyEnv } from './args.js';
import { dispatchStages, type BaseImage } from './dispatch.js';
import { addTriggers, buildGraph, reachableFrom, type StageGraph } from './stages.js';
import type { BuildPlan } from './types.js';

export interface PlanInput {
  dockerfile: string;
  buildArgs: ReadonlyMap<string, string>;
  target?: string;
  /** --platform. */
  platform?: string;
  labels: Record<string, string>;
  network: string;
  hostArch: string;
}

export interface Prepared {
  df: Dockerfile;
  graph: StageGraph;
  scope: Map<string, string>;
  target: Platform;
  build: Platform;
}

/** Parse and lay out the stages; names every base image the reachable stages need. */
export function prepare(input: PlanInput): Prepared {
  const df = parseDockerfile(input.dockerfile);
  const build: Platform = { os: 'linux', architecture: input.hostArch };
  const target = input.platform ? parsePlatform(input.platform, input.hostArch) : build;
  const targetStage = input.target ?? df.stages[df.stages.length - 1]!.name ?? '';
  const pre = predefinedArgs(build, target, targetStage, input.buildArgs);
  const scope = globalScope(pre, df.globalArgs, input.buildArgs, df.directives.escape);
  const graph = buildGraph(df, scope, { ...(input.target ? { target: input.target } : {}), hostArch: input.hostArch });
  return { df, graph, scope, target, build };
}

/** The image references a prepared plan still needs looked up, with the platform each wants. */
export function neededImages(p: Prepared, have: ReadonlyMap<string, BaseImage>): { ref: string; platform: Platform }[] {
  const out = new Map<string, Platform>();
  for (const i of p.graph.reachable) {
    const n = p.graph.nodes[i]!;
    if (n.base.kind === 'image' && !have.has(n.base.ref)) out.set(n.base.ref, n.platform ?? p.target);
    for (const c of n.commands)
      for (const s of c.sources) if (s?.kind === 'image' && !have.has(s.ref)) out.set(s.ref, n.platform ?? p.target);
  }
  return [...out].map(([ref, platform]) => ({ ref, platform }));
}

export type Lookup = (ref: string, platform: Platform) => Promise<BaseImage>;

/** Resolve base images and triggers until nothing new is needed, then dispatch. */
export async function plan(
  input: PlanInput,
  lookup: Lookup,
): Promise<{ plan: BuildPlan; images: Map<string, BaseImage> }> {
  const p = prepare(input);
  const images = new Map<string, BaseImage>();
  for (let round = 0; round < 100; round++) {
    for (const { ref, platform } of neededImages(p, images)) {
      const node = p.graph.nodes.find((n) => n.base.kind === 'image' && n.base.ref === ref);
      const loc = node?.stage.from.loc;
      images.set(
        ref,
        loc ? await atLinesAsync(loc.start, loc.end, () => lookup(ref, platform)) : await lookup(ref, platform),
      );
    }
    let changed = false;
    for (const i of p.graph.reachable) {
      const n = p.graph.nodes[i]!;
      const triggers = n.base.kind === 'image' ? (images.get(n.base.ref)?.config.config?.OnBuild ?? []) : [];
      if (addTriggers(p.graph, n, triggers)) changed = true;
    }
    if (!changed) break;
    p.graph.reachable = reachableFrom(p.graph.nodes, p.graph.target);
  }
  const result = dispatchStages(p.graph, {
    escape: p.df.directives.escape,
    scope: p.scope,
    buildArgs: input.buildArgs,
    proxyEnv: proxyEnv(input.buildArgs),
    targetPlatform: p.target,
    explicitPlatform: !!input.platform,
    labels: input.labels,
    network: input.network,
    bases: images,
  });
  result.warnings.unshift(...p.df.warnings);
  return { plan: result, images };
}

async function atLinesAsync<T>(start: number, end: number, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    return atLines(start, end, () => {
      throw e;
    });
  }
}

/** `--build-arg K=V` and `--build-arg K` (the value from the environment, left out when unset), as docker reads them. */
export function parseBuildArgs(list: string[], env: NodeJS.ProcessEnv): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of list) {
    const eq = a.indexOf('=');
    if (eq === 0) throw invalidArg(`invalid key/value pair "${a}": empty key`);
    if (eq > 0) out.set(a.slice(0, eq), a.slice(eq + 1));
    else if (env[a] !== undefined) out.set(a, env[a]!);
  }
  return out;
}
