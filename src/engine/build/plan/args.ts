/**
 * Build arguments as BuildKit scopes them: the predefined platform
 * arguments (BUILDPLATFORM, TARGETARCH, ...), the global ARGs before the
 * first FROM (usable in FROM lines; a stage sees one only after declaring it
 * again), `--build-arg` values overriding defaults, and the proxy arguments
 * (HTTP_PROXY and friends) that reach RUN without being declared and stay
 * out of the history and the cache key. Pure.
 */
import type { Platform } from '../../image/platform.js';
import { atLines } from '../dockerfile/errors.js';
import type { ArgInstruction } from '../dockerfile/types.js';
import { processWord, type Vars } from '../dockerfile/shell-words.js';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const formatPlatform = (p: Platform) => [p.os, p.architecture, p.variant].filter(Boolean).join('/');

export const PROXY_ARGS = ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'];

/** The predefined arguments (defaultArgs), --build-arg values taking their place. */
export function predefinedArgs(
  build: Platform,
  target: Platform,
  targetStage: string,
  overrides: ReadonlyMap<string, string>,
): Map<string, string> {
  const pairs: [string, string][] = [
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDOSVERSION', ''],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETOSVERSION', ''],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
    ['TARGETSTAGE', targetStage || 'default'],
  ];
  return new Map(pairs.map(([k, v]) => [k, overrides.get(k) ?? v]));
}

/**
 * The global scope (buildMetaArgs): the predefined arguments, then each
 * global ARG with its --build-arg value or its default expanded against
 * what comes before it.
 */
export function globalScope(
  predefined: Map<string, string>,
  globalArgs: ArgInstruction[],
  buildArgs: ReadonlyMap<string, string>,
  escape: string,
): Map<string, string> {
  const scope = new Map(predefined);
  for (const cmd of globalArgs) {
    for (const a of cmd.args) {
      let value: string | undefined;
      if (buildArgs.has(a.name)) value = buildArgs.get(a.name)!;
      else if (a.value !== undefined) {
        value = atLines(cmd.loc.start, cmd.loc.end, () => processWord(a.value!, scope, { escape }).result);
      }
      if (value !== undefined) scope.set(a.name, value);
    }
  }
  return scope;
}

/** The proxy variables given as build arguments (any case), for RUN's environment only. */
export function proxyEnv(buildArgs: ReadonlyMap<string, string>): string[] {
  return [...buildArgs.keys()]
    .sort()
    .filter((k) => PROXY_ARGS.includes(k.toUpperCase()))
    .map((k) => `${k}=${buildArgs.get(k)}`);
}

/** Build arguments nothing declared (docker warns about them). */
export function unusedBuildArgs(buildArgs: ReadonlyMap<string, string>, declared: Set<string>): string[] {
  return [...buildArgs.keys()]
    .filter((k) => !declared.has(k) && !PROXY_ARGS.includes(k.toUpperCase()) && !predefinedNames.has(k))
    .sort();
}

const predefinedNames = new Set([
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDOSVERSION',
  'BUILDARCH',
  'BUILDVARIANT',
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETOSVERSION',
  'TARGETARCH',
  'TARGETVARIANT',
  'TARGETSTAGE',
]);

export type { Vars };
