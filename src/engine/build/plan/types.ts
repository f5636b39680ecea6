/**
 * What the planner hands the executor: per stage, its base and the steps
 * that make layers (RUN, COPY, ADD, WORKDIR), each with everything that
 * decides its result (and so its cache key), its progress name and its
 * history entry; and the image config and history the stage ends with.
 */
import type { Loc } from '../dockerfile/types.js';
import type { Platform } from '../../image/platform.js';
import type { ContainerConfigLike, HistoryEntry } from '../../image/types.js';
import type { RunMount } from './run-mounts.js';
import type { Source, StageBase } from './stages.js';

/** Where a COPY/ADD source comes from. */
export type CopySource =
  | { kind: 'context'; path: string }
  | { kind: 'stage'; index: number; path: string }
  | { kind: 'image'; ref: string; path: string }
  | { kind: 'url'; url: string; filename: string; checksum?: string }
  | { kind: 'git'; url: string; ref: string; keepGitDir: boolean }
  | { kind: 'inline'; name: string; data: string };

/** A RUN mount and the stage or image it reads (null: the build context, or none). */
export type PlannedMount = RunMount & { src: Source | null };

export interface RunStep {
  op: 'run';
  /** argv (the SHELL prepended for shell form). */
  args: string[];
  /** The process environment: the image's ENV and the stage's ARG values. */
  env: string[];
  /** Proxy variables from --build-arg: in the environment, out of the cache key. */
  proxyEnv: string[];
  user: string;
  cwd: string;
  network: string;
  security: 'sandbox' | 'insecure';
  mounts: PlannedMount[];
  /** A heredoc with a shebang runs as a file mounted at /dev/pipes/<name>. */
  script?: { name: string; data: string };
}

export interface CopyStep {
  op: 'copy';
  add: boolean;
  sources: CopySource[];
  /** Absolute, with a trailing slash when written with one. */
  dest: string;
  chown?: string;
  /** Octal mode or a symbolic mode string. */
  chmod?: number | string;
  link: boolean;
  exclude: string[];
  parents: boolean;
}

export interface MkdirStep {
  op: 'mkdir';
  path: string;
  /** The stage's USER then (the directory's owner). */
  user: string;
}

export type StepOp = RunStep | CopyStep | MkdirStep;

export interface PlanStep {
  /** Progress name: `[stage 2/5] RUN ...`. */
  name: string;
  loc: Loc;
  /** Index of its entry in the stage's history (the entry has no empty_layer). */
  history: number;
  step: StepOp;
}

/** The image config the stage ends with (docker's field order). */
export interface ImageDraft {
  architecture: string;
  os: string;
  variant?: string;
  author?: string;
  config: ContainerConfigLike;
  /** History with `created` left out for entries this build adds. */
  history: HistoryEntry[];
  /** How many history entries (and layers) come from the base. */
  baseHistory: number;
}

export interface PlannedStage {
  index: number;
  label: string;
  base: StageBase;
  platform: Platform;
  /** FROM's progress name (`[1/3] FROM docker.io/library/x:latest`), '' for scratch and stages. */
  fromName: string;
  fromLoc: Loc;
  steps: PlanStep[];
  image: ImageDraft;
  deps: number[];
}

export interface BuildPlan {
  stages: PlannedStage[];
  target: number;
  /** --build-arg names no ARG declared. */
  unusedArgs: string[];
  warnings: string[];
}
