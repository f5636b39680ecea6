/**
 * The stage graph, as BuildKit's dockerfile2llb builds it: each FROM
 * expanded with the global arguments (scratch, an earlier stage by name, or
 * an image), COPY --from and RUN --mount from=... resolved to a stage (by
 * name or index) or an image, ONBUILD triggers prepended to the stages they
 * run in, the target (`--target` or the last stage), and the stages the
 * target needs: only those are built. Pure.
 */
import { invalidArg, BerthError } from '../../errors.js';
import { parsePlatform, type Platform } from '../../image/platform.js';
import { atLines, DockerfileError } from '../dockerfile/errors.js';
import { parseTrigger } from '../dockerfile/parse.js';
import { processWord } from '../dockerfile/shell-words.js';
import type { Dockerfile, Instruction, Stage } from '../dockerfile/types.js';
import { mountFrom } from './run-mounts.js';

export type StageBase = { kind: 'scratch' } | { kind: 'stage'; index: number } | { kind: 'image'; ref: string };
export type Source = { kind: 'stage'; index: number } | { kind: 'image'; ref: string };

export interface Command {
  ins: Instruction;
  /** From the base's ONBUILD list. */
  onbuild: boolean;
  /** Per COPY --from or per RUN mount (null: the build context, or no source). */
  sources: (Source | null)[];
}

export interface StageNode {
  index: number;
  stage: Stage;
  /** The `AS` name ('' when none). */
  name: string;
  /** The name progress shows: the AS name or stage-N ('' when the build has one stage). */
  label: string;
  /** FROM as expanded with the global arguments. */
  baseName: string;
  platform?: Platform;
  base: StageBase;
  commands: Command[];
  /** Stages this one needs: its base and every --from. */
  deps: Set<number>;
  /** Triggers already added. */
  triggersAdded: boolean;
}

export interface StageGraph {
  nodes: StageNode[];
  target: number;
  /** Stage indices the target needs, in Dockerfile order. */
  reachable: number[];
  /** Images named by COPY --from / RUN --mount from= (not stages). */
  sourceImages: Set<string>;
}

const EMPTY = new Map<string, string>();

function resolveFrom(nodes: StageNode[], value: string, what: string): Source {
  if (processWord(value, EMPTY).result !== value) {
    throw invalidArg(
      `variable expansion is not supported for ${what}, define a new stage with FROM using ARG from global scope as a workaround`,
    );
  }
  if (/^\d+$/.test(value)) {
    const i = Number(value);
    if (i >= nodes.length) throw invalidArg(`invalid stage index ${i}`);
    return { kind: 'stage', index: i };
  }
  const byName = [...nodes].reverse().find((n) => n.name && n.name === value.toLowerCase());
  return byName ? { kind: 'stage', index: byName.index } : { kind: 'image', ref: value };
}

function toCommand(nodes: StageNode[], ins: Instruction, onbuild: boolean): Command {
  return atLines(ins.loc.start, ins.loc.end, () => {
    if (ins.kind === 'COPY' && ins.from) return { ins, onbuild, sources: [resolveFrom(nodes, ins.from, '--from')] };
    if (ins.kind === 'RUN' && ins.mounts.length) {
      const sources = ins.mounts.map((m) => {
        const from = mountFrom(m);
        return from ? resolveFrom(nodes, from, 'from') : null;
      });
      return { ins, onbuild, sources };
    }
    return { ins, onbuild, sources: [] };
  });
}

function computeDeps(node: StageNode): void {
  node.deps = new Set();
  if (node.base.kind === 'stage') node.deps.add(node.base.index);
  for (const c of node.commands) for (const s of c.sources) if (s?.kind === 'stage') node.deps.add(s.index);
}

export function buildGraph(
  df: Dockerfile,
  scope: ReadonlyMap<string, string>,
  opts: { target?: string; hostArch: string },
): StageGraph {
  const escape = df.directives.escape;
  const nodes: StageNode[] = [];
  for (const stage of df.stages) {
    const { from } = stage;
    const baseName = atLines(from.loc.start, from.loc.end, () => processWord(from.image, scope, { escape }).result);
    if (!baseName) throw new DockerfileError(`base name (${from.image}) should not be blank`, from.loc.start);
    let platform: Platform | undefined;
    if (from.platform) {
      const p = atLines(from.loc.start, from.loc.end, () => processWord(from.platform!, scope, { escape }).result);
      if (!p) throw new DockerfileError(`empty platform value from expression ${from.platform}`, from.loc.start);
      platform = atLines(from.loc.start, from.loc.end, () => parsePlatform(p, opts.hostArch));
    }
    const earlier = [...nodes].reverse().find((n) => n.name && n.name === baseName);
    const base: StageBase =
      baseName === 'scratch'
        ? { kind: 'scratch' }
        : earlier
          ? { kind: 'stage', index: earlier.index }
          : { kind: 'image', ref: baseName };
    nodes.push({
      index: stage.index,
      stage,
      name: stage.name ?? '',
      label: stage.name ?? `stage-${stage.index}`,
      baseName,
      ...(platform ? { platform } : {}),
      base,
      commands: [],
      deps: new Set(),
      triggersAdded: false,
    });
  }
  const sourceImages = new Set<string>();
  for (const node of nodes) {
    node.commands = node.stage.instructions.map((ins) => toCommand(nodes, ins, false));
    computeDeps(node);
  }
  checkCycles(nodes);
  for (const node of nodes)
    for (const c of node.commands) for (const s of c.sources) if (s?.kind === 'image') sourceImages.add(s.ref);
  let target = nodes.length - 1;
  if (opts.target) {
    const t = [...nodes].reverse().find((n) => n.name === opts.target!.toLowerCase());
    if (!t) throw new BerthError('NOT_FOUND', `target stage "${opts.target}" could not be found`);
    target = t.index;
  }
  // one stage and no image sources: progress shows [n/m] without a stage name
  if (nodes.length === 1 && !sourceImages.size) nodes[0]!.label = '';
  return { nodes, target, reachable: reachableFrom(nodes, target), sourceImages };
}

export function reachableFrom(nodes: StageNode[], target: number): number[] {
  const seen = new Set<number>();
  const visit = (i: number) => {
    if (seen.has(i)) return;
    seen.add(i);
    for (const d of nodes[i]!.deps) visit(d);
  };
  visit(target);
  return [...seen].sort((a, b) => a - b);
}

function checkCycles(nodes: StageNode[]): void {
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number) => {
    if (state.get(i) === 'done') return;
    if (state.get(i) === 'visiting') {
      const from = nodes[i]!.stage.from.loc;
      throw new DockerfileError(`circular dependency detected on stage: ${nodes[i]!.label}`, from.start, from.end);
    }
    state.set(i, 'visiting');
    for (const d of nodes[i]!.deps) visit(d);
    state.set(i, 'done');
  };
  for (const n of nodes) visit(n.index);
}

/**
 * Prepend a stage's ONBUILD triggers (the base image's OnBuild list, or the
 * base stage's ONBUILD instructions) to its commands; returns whether they
 * brought new stage dependencies.
 */
export function addTriggers(graph: StageGraph, node: StageNode, triggers: string[]): boolean {
  if (node.triggersAdded) return false;
  node.triggersAdded = true;
  const own = node.base.kind === 'stage' ? graph.nodes[node.base.index]! : null;
  const all = [...triggers];
  if (own) for (const c of own.commands) if (c.ins.kind === 'ONBUILD' && !c.onbuild) all.push(c.ins.expression);
  if (!all.length) return false;
  const before = new Set(node.deps);
  const cmds = all.map((t) => toCommand(graph.nodes, parseTrigger(t, node.stage.from.loc), true));
  node.commands = [...cmds, ...node.commands];
  computeDeps(node);
  for (const c of cmds) for (const s of c.sources) if (s?.kind === 'image') graph.sourceImages.add(s.ref);
  checkCycles(graph.nodes);
  return [...node.deps].some((d) => !before.has(d));
}
