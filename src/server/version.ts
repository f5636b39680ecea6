/**
 * The Docker Engine API versions berth serves, negotiated as dockerd does:
 * `/_ping` and every response carry `Api-Version` (the newest served), a
 * request names its version in the path (`/v1.45/containers/json`) or gets
 * the newest, and a version outside [MIN, MAX] is refused with dockerd's
 * words. Berth's answers follow the 1.41-1.47 shapes; older clients that
 * dockerd still accepts (docker-compose 1.29 speaks 1.38) get the same
 * answers, as every field they read is there.
 */
export const MAX_API_VERSION = '1.47';
/** dockerd's own minimum (docker 20.10 to 28). */
export const MIN_API_VERSION = '1.24';
/** The oldest version whose shapes berth follows field for field. */
export const FAITHFUL_FROM = '1.41';

/** Compare two "major.minor" versions: negative, zero or positive. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

export const versionLess = (a: string, b: string) => compareVersions(a, b) < 0;

/** The version prefix of a path: ["1.45", "/containers/json"], or [null, path] without one. */
export function splitVersion(path: string): [string | null, string] {
  const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
  return m ? [m[1]!, m[2]!] : [null, path];
}

/** null when served; otherwise dockerd's message for a version it refuses. */
export function versionProblem(v: string): string | null {
  if (versionLess(v, MIN_API_VERSION))
    return `client version ${v} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`;
  if (compareVersions(v, MAX_API_VERSION) > 0)
    return `client version ${v} is too new. Maximum supported API version is ${MAX_API_VERSION}`;
  return null;
}
