/**
 * A stage's state while its instructions are dispatched, as BuildKit keeps
 * it: the process environment RUN sees (the image's ENV plus the stage's
 * ARG values), the image config being built (only the fields an image
 * config has, in docker's order), the history, the declared ARGs, and the
 * step counter progress names use. Pure.
 */
import { posix } from 'node:path';
import type { Platform } from '../../image/platform.js';
import type { ContainerConfigLike, ImageConfig } from '../../image/types.js';
import { DEFAULT_PATH } from './args.js';
import { HISTORY_COMMENT, prefixName } from './history.js';
import type { ImageDraft } from './types.js';

export interface StageState {
  env: Map<string, string>;
  image: ImageDraft;
  declared: { name: string; value?: string }[];
  /** CMD was set in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  platform: Platform;
  label: string;
  index: number;
  total: number;
}

/** The image config fields BuildKit keeps (the OCI ones and docker's extensions), in docker's order. */
const CONFIG_KEYS = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'Healthcheck',
  'ArgsEscaped',
  'OnBuild',
  'StopTimeout',
  'Shell',
] as const;

/** A config with only the kept fields, in order, empty ones left out (OnBuild always there). */
export function normalizeConfig(c: ContainerConfigLike): ContainerConfigLike {
  const out: Record<string, unknown> = {};
  for (const k of CONFIG_KEYS) {
    const v = c[k];
    const empty =
      v === undefined ||
      v === null ||
      v === '' ||
      v === false ||
      v === 0 ||
      (Array.isArray(v) && !v.length) ||
      (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length);
    if (k === 'OnBuild') out[k] = Array.isArray(v) && v.length ? [...v] : null;
    else if (!empty) out[k] = sortMaps(k, v);
  }
  return out as ContainerConfigLike;
}

const sortMaps = (k: string, v: unknown) =>
  k === 'ExposedPorts' || k === 'Volumes' || k === 'Labels'
    ? Object.fromEntries(Object.entries(v as object).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : v;

export function cloneState(s: StageState): StageState {
  return {
    ...s,
    env: new Map(s.env),
    image: structuredClone(s.image),
    declared: [...s.declared],
  };
}

const envKey = (e: string) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e);

/** docker's addEnv: replace the key in place, else append. */
export function addEnv(env: string[] | null | undefined, k: string, v: string): string[] {
  const out = [...(env ?? [])];
  const i = out.findIndex((e) => envKey(e) === k);
  if (i >= 0) out[i] = `${k}=${v}`;
  else out.push(`${k}=${v}`);
  return out;
}

/** system.NormalizeWorkdir: relative to the current one, cleaned. */
export function normalizeWorkdir(current: string, path: string): string {
  const p = posix.isAbsolute(path) ? path : posix.join('/', current || '/', path);
  const n = posix.normalize(p);
  return n.length > 1 ? n.replace(/\/$/, '') : n;
}

function initEnv(s: StageState): void {
  const env = s.image.config.Env ?? [];
  if (!env.some((e) => envKey(e) === 'PATH')) s.image.config.Env = [...env, `PATH=${DEFAULT_PATH}`];
  for (const e of s.image.config.Env ?? []) s.env.set(envKey(e), e.includes('=') ? e.slice(e.indexOf('=') + 1) : '');
  if (s.image.config.WorkingDir) s.image.config.WorkingDir = normalizeWorkdir('/', s.image.config.WorkingDir);
}

/** The state of a stage FROM scratch (emptyImage). */
export function scratchState(platform: Platform, label: string, total: number): StageState {
  const s: StageState = {
    env: new Map(),
    image: {
      architecture: platform.architecture,
      os: platform.os,
      ...(platform.variant ? { variant: platform.variant } : {}),
      config: { Env: [`PATH=${DEFAULT_PATH}`], WorkingDir: '/' },
      history: [],
      baseHistory: 0,
    },
    declared: [],
    cmdSet: false,
    platform,
    label,
    index: 0,
    total,
  };
  initEnv(s);
  return s;
}

/** The state of a stage FROM an image: its config's kept fields, its history, its author. */
export function imageState(config: ImageConfig, platform: Platform, label: string, total: number): StageState {
  // the base's ONBUILD triggers run in this stage and are not passed on
  const c = normalizeConfig({ ...(config.config ?? {}), OnBuild: null });
  const history = (config.history ?? []).map((h) => ({
    ...(h.created ? { created: h.created } : {}),
    ...(h.created_by ? { created_by: h.created_by } : {}),
    ...(h.author ? { author: h.author } : {}),
    ...(h.comment ? { comment: h.comment } : {}),
    ...(h.empty_layer ? { empty_layer: true } : {}),
  }));
  const s: StageState = {
    env: new Map(),
    image: {
      architecture: config.architecture ?? platform.architecture,
      os: config.os ?? platform.os,
      ...((config.variant ?? platform.variant) ? { variant: config.variant ?? platform.variant } : {}),
      ...(config.author ? { author: config.author } : {}),
      config: c,
      history,
      baseHistory: history.length,
    },
    declared: [],
    cmdSet: false,
    platform: {
      os: config.os ?? platform.os,
      architecture: config.architecture ?? platform.architecture,
      ...(config.variant ? { variant: config.variant } : {}),
    },
    label,
    index: 0,
    total,
  };
  initEnv(s);
  return s;
}

/** A stage FROM an earlier stage: its final state, without its OnBuild list, with a counter of its own. */
export function stageState(base: StageState, label: string, total: number): StageState {
  const s = cloneState(base);
  s.image.config.OnBuild = null;
  s.image.baseHistory = s.image.history.length;
  return { ...s, cmdSet: false, label, index: 0, total };
}

/** The next progress name of the stage. */
export function nextName(s: StageState, text: string, onbuild = false): string {
  if (s.total === 0) return text;
  s.index++;
  return prefixName(s.label, s.index, s.total, text, onbuild);
}

/** Add a history entry; returns its index. */
export function commit(s: StageState, createdBy: string, layer: boolean): number {
  s.image.history.push({ created_by: createdBy, comment: HISTORY_COMMENT, ...(layer ? {} : { empty_layer: true }) });
  return s.image.history.length - 1;
}
