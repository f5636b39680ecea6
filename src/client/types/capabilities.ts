/**
 * What a backend can do. Every backend reports each feature as present or
 * missing with the reason; the app and the CLI ask here, never which
 * backend they hold. A missing feature stays visible in the app, disabled,
 * with its reason in the help and the action menu. A remote backend may
 * learn that a feature is missing at run time (the engine answered 501):
 * ask again rather than keep the answer.
 */
import { BerthError } from '../errors.js';

/** Features by name, with what each one is for (the words the app shows beside a reason). */
export const FEATURES = {
  exec: 'run a command in a container',
  attach: 'attach to a container',
  stats: 'live resource figures',
  events: 'the event feed',
  top: 'a container’s processes',
  diff: 'a container’s file system changes',
  commit: 'commit a container',
  export: 'export a container’s file system',
  pause: 'pause and unpause',
  update: 'change a container’s limits',
  copy: 'copy files in and out of containers',
  history: 'an image’s history',
  save: 'save images to an archive',
  load: 'load images from an archive',
  import: 'import a file system as an image',
  registry: 'pull, push and search',
  registryTags: 'list a repository’s tags',
  login: 'save registry credentials',
  volumes: 'volumes',
  networks: 'networks',
  build: 'build images',
  diskUsage: 'disk usage',
  /** Plain `run` lines replayed by the native launcher (engine/container/run-plan.ts). */
  runPlan: 'run plans for the native launcher',
  /** The monitor's exit hook (`berth container cleanup`). */
  exitHook: 'the container monitor’s exit hook',
  /** `berth system check`. */
  storeCheck: 'checking the image store',
} as const;

export type Feature = keyof typeof FEATURES;

export type FeatureState = { ok: true } | { ok: false; reason: string };

export type Capabilities = Readonly<Record<Feature, FeatureState>>;

const OK: FeatureState = Object.freeze({ ok: true });

/** Every feature present but those given, each with the reason it is missing. */
export function capabilities(missing: Partial<Record<Feature, string>> = {}): Capabilities {
  const out = {} as Record<Feature, FeatureState>;
  for (const f of Object.keys(FEATURES) as Feature[]) {
    const reason = missing[f];
    out[f] = reason ? { ok: false, reason } : OK;
  }
  return out;
}

/** Why a feature is missing, or null when it is there. */
export function missingReason(caps: Capabilities, f: Feature): string | null {
  const s = caps[f];
  return s.ok ? null : s.reason;
}

/** Throw NOT_SUPPORTED with the reason when the feature is missing. */
export function requireFeature(caps: Capabilities, f: Feature): void {
  const s = caps[f];
  if (!s.ok) throw new BerthError('NOT_SUPPORTED', s.reason);
}
