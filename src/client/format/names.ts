/** Splitting image names as the docker CLI shows them. */

/** "repo:tag" -> [repo, tag]; "repo@sha256:..." -> [repo, digest]; no tag -> [name, "<none>"]. */
export function splitName(name: string): [string, string] {
  const at = name.indexOf('@');
  if (at >= 0) return [name.slice(0, at), name.slice(at + 1)];
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) return [name.slice(0, colon), name.slice(colon + 1)];
  return [name, '<none>'];
}
