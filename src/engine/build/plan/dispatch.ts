/**
 * The planner: each reachable stage's instructions dispatched in order, as
 * BuildKit's dockerfile2llb dispatches them. Metadata instructions change
 * the image config and add an empty history entry; RUN, COPY, ADD and
 * WORKDIR become steps (steps.ts). Variables expand with the stage's
 * environment at that point. Pure: base image configs come in resolved.
 */
import { parseSignal } from '../../container/signals.js';
import { invalidArg } from '../../errors.js';
import type { Platform } from '../../image/platform.js';
import type { ImageConfig } from '../../image/types.js';
import { atLines, DockerfileError } from '../dockerfile/errors.js';
import { processWord } from '../dockerfile/shell-words.js';
import type { Instruction } from '../dockerfile/types.js';
import { unusedBuildArgs } from './args.js';
import { goList, goQuoteList, goSetMap } from './go-format.js';
import { healthcheckHistory, parseExposedPort } from './history.js';
import type { Command, StageGraph } from './stages.js';
import { addEnv, commit, imageState, nextName, scratchState, stageState, type StageState } from './state.js';
import { stepFor, type StepContext } from './steps.js';
import type { BuildPlan, PlannedStage, PlanStep } from './types.js';

export interface BaseImage {
  id: string;
  /** The reference as docker normalises it (docker.io/library/x:latest). */
  name: string;
  config: ImageConfig;
}

export interface PlanOptions {
  escape: string;
  /** The global scope: predefined and global ARGs. */
  scope: ReadonlyMap<string, string>;
  buildArgs: ReadonlyMap<string, string>;
  proxyEnv: string[];
  targetPlatform: Platform;
  /** --platform was given: the result's platform is the target's. */
  explicitPlatform: boolean;
  labels: Record<string, string>;
  network: string;
  /** Base images by the name their FROM expanded to. */
  bases: ReadonlyMap<string, BaseImage>;
}

function countSteps(commands: Command[], fromImage: boolean): number {
  let n = fromImage ? 1 : 0;
  for (const c of commands) if (['RUN', 'COPY', 'ADD', 'WORKDIR'].includes(c.ins.kind)) n++;
  return n;
}

function meta(s: StageState, ins: Instruction, ctx: StepContext, declared: Set<string>): void {
  const ex = (w: string) => processWord(w, s.env, { escape: ctx.escape }).result;
  const c = s.image.config;
  switch (ins.kind) {
    case 'ENV': {
      const parts: string[] = [];
      for (const p of ins.pairs) {
        const [k, v] = [ex(p.key), ex(p.value)];
        parts.push(`${k}=${v}`);
        s.env.set(k, v);
        c.Env = addEnv(c.Env, k, v);
      }
      commit(s, `ENV ${parts.join(' ')}`, false);
      return;
    }
    case 'LABEL': {
      const parts: string[] = [];
      c.Labels = { ...(c.Labels ?? {}) };
      for (const p of ins.pairs) {
        const [k, v] = [ex(p.key), ex(p.value)];
        c.Labels[k] = v;
        parts.push(`${k}=${v}`);
      }
      commit(s, `LABEL ${parts.join(' ')}`, false);
      return;
    }
    case 'MAINTAINER':
      s.image.author = ins.value;
      commit(s, `MAINTAINER ${ins.value}`, false);
      return;
    case 'ARG': {
      const parts: string[] = [];
      for (const a of ins.args) {
        declared.add(a.name);
        let value: string | undefined;
        const dflt = a.value !== undefined ? ex(a.value) : undefined;
        if (ctx.buildArgs.has(a.name)) value = ctx.buildArgs.get(a.name)!;
        else if (dflt !== undefined) value = dflt;
        else if (ctx.scope.has(a.name)) value = ctx.scope.get(a.name)!;
        if (value !== undefined) s.env.set(a.name, value);
        s.declared.push(value === undefined ? { name: a.name } : { name: a.name, value });
        // the history shows the Dockerfile's default, as the peer docker's BuildKit records it
        parts.push(dflt === undefined ? a.name : `${a.name}=${dflt}`);
      }
      commit(s, `ARG ${parts.join(' ')}`, false);
      return;
    }
    case 'USER': {
      const u = ex(ins.value);
      c.User = u;
      commit(s, `USER ${u}`, false);
      return;
    }
    case 'CMD':
    case 'ENTRYPOINT': {
      const args = ins.prependShell ? [...shellOf(s), ins.cmdLine.join(' ')] : [...ins.cmdLine];
      if (ins.kind === 'CMD') {
        c.Cmd = args;
        c.ArgsEscaped = true;
        s.cmdSet = true;
      } else {
        c.Entrypoint = args;
        if (!s.cmdSet) c.Cmd = null;
      }
      commit(s, `${ins.kind} ${goQuoteList(args)}`, false);
      return;
    }
    case 'HEALTHCHECK': {
      const h = {
        Test: ins.test,
        ...(ins.interval ? { Interval: ins.interval } : {}),
        ...(ins.timeout ? { Timeout: ins.timeout } : {}),
        ...(ins.startPeriod ? { StartPeriod: ins.startPeriod } : {}),
        ...(ins.startInterval ? { StartInterval: ins.startInterval } : {}),
        ...(ins.retries ? { Retries: ins.retries } : {}),
      };
      c.Healthcheck = h;
      commit(s, healthcheckHistory(h), false);
      return;
    }
    case 'EXPOSE': {
      const ports: string[] = [];
      for (const raw of ins.ports)
        for (const w of processWord(raw, s.env, { escape: ctx.escape }).words) ports.push(...parseExposedPort(w));
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}), ...Object.fromEntries(ports.map((p) => [p, {}])) };
      commit(s, `EXPOSE ${goSetMap(ports)}`, false);
      return;
    }
    case 'VOLUME': {
      const vols = ins.volumes.map(ex);
      if (vols.some((v) => !v)) throw invalidArg('VOLUME specified can not be an empty string');
      c.Volumes = { ...(c.Volumes ?? {}), ...Object.fromEntries(vols.map((v) => [v, {}])) };
      commit(s, `VOLUME ${goList(vols)}`, false);
      return;
    }
    case 'STOPSIGNAL': {
      const sig = ex(ins.value);
      parseSignal(sig);
      c.StopSignal = sig;
      commit(s, `STOPSIGNAL ${sig}`, false);
      return;
    }
    case 'SHELL':
      c.Shell = [...ins.shell];
      commit(s, `SHELL ${goList(ins.shell)}`, false);
      return;
    case 'ONBUILD':
      c.OnBuild = [...(c.OnBuild ?? []), ins.expression];
      return;
  }
}

export const shellOf = (s: StageState) => (s.image.config.Shell?.length ? s.image.config.Shell : ['/bin/sh', '-c']);

export function dispatchStages(graph: StageGraph, opts: PlanOptions): BuildPlan {
  const states = new Map<number, StageState>();
  const declared = new Set<string>();
  const stages: PlannedStage[] = [];
  const warnings: string[] = [];
  for (const i of graph.reachable) {
    const node = graph.nodes[i]!;
    const fromLoc = node.stage.from.loc;
    const platform = node.platform ?? opts.targetPlatform;
    const total = countSteps(node.commands, node.base.kind === 'image');
    let s: StageState;
    let fromName = '';
    if (node.base.kind === 'scratch') s = scratchState(platform, node.label, total);
    else if (node.base.kind === 'stage') {
      const base = states.get(node.base.index);
      if (!base) throw new DockerfileError(`stage ${node.baseName} is not built`, fromLoc.start, fromLoc.end);
      s = stageState(base, node.label, total);
    } else {
      const img = opts.bases.get(node.base.ref);
      if (!img) throw new DockerfileError(`${node.baseName}: image not resolved`, fromLoc.start, fromLoc.end);
      s = imageState(img.config, platform, node.label, total);
      fromName = nextName(s, `FROM ${img.name}`);
    }
    const ctx: StepContext = { ...opts, graph, stageIndex: i, states };
    const steps: PlanStep[] = [];
    for (const cmd of node.commands) {
      const { ins } = cmd;
      atLines(ins.loc.start, ins.loc.end, () => {
        if (ins.kind === 'RUN' || ins.kind === 'COPY' || ins.kind === 'ADD' || ins.kind === 'WORKDIR') {
          const step = stepFor(s, cmd, ctx);
          if (step) steps.push(step);
        } else meta(s, ins, ctx, declared);
      });
    }
    if (i === graph.target) {
      if (Object.keys(opts.labels).length) s.image.config.Labels = { ...(s.image.config.Labels ?? {}), ...opts.labels };
      if (opts.explicitPlatform) {
        s.image.os = opts.targetPlatform.os;
        s.image.architecture = opts.targetPlatform.architecture;
        if (opts.targetPlatform.variant) s.image.variant = opts.targetPlatform.variant;
        else delete s.image.variant;
      }
    }
    states.set(i, s);
    stages.push({
      index: i,
      label: node.label,
      base: node.base,
      platform: s.platform,
      fromName,
      fromLoc,
      steps,
      image: structuredClone(s.image),
      deps: [...node.deps].sort((a, b) => a - b),
    });
  }
  const unused = unusedBuildArgs(opts.buildArgs, declared);
  if (unused.length) warnings.push(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed`);
  return { stages, target: graph.target, unusedArgs: unused, warnings };
}
