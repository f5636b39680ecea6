/**
 * Image references with docker's grammar (distribution/reference):
 *   [domain[:port]/]path[:tag][@digest]
 * normalised as docker normalises them (docker.io, library/), with docker's
 * error messages.
 */
import { invalidArg } from '../errors.js';

export interface Reference {
  /** Registry host[:port], e.g. docker.io, localhost:5000. */
  domain: string;
  /** Repository path, e.g. library/busybox. */
  path: string;
  tag?: string | undefined;
  digest?: string | undefined;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
const NAME_MAX = 255;

const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})`;
const DOMAIN = `${HOST}(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const TAG_RE = new RegExp(`^${TAG}$`);
const ID_RE = /^[a-f0-9]{64}$/;
const DOMAIN_RE = new RegExp(`^${DOMAIN}$`);

function splitDomain(name: string): { domain: string; rest: string } {
  const i = name.indexOf('/');
  let domain: string;
  let rest: string;
  if (
    i === -1 ||
    (!/[.:]/.test(name.slice(0, i)) &&
      name.slice(0, i) !== 'localhost' &&
      name.slice(0, i).toLowerCase() === name.slice(0, i))
  ) {
    domain = DEFAULT_DOMAIN;
    rest = name;
  } else {
    domain = name.slice(0, i);
    rest = name.slice(i + 1);
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !rest.includes('/')) rest = OFFICIAL_PREFIX + rest;
  return { domain, rest };
}

function validateDigest(d: string): void {
  const [alg, hex] = d.split(':') as [string, string];
  const lengths: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };
  if (lengths[alg] === undefined) throw invalidArg('invalid reference format: unsupported digest algorithm');
  if (hex.length !== lengths[alg]) throw invalidArg('invalid reference format: invalid checksum digest length');
  if (!/^[a-f0-9]+$/.test(hex)) throw invalidArg('invalid reference format: invalid checksum digest format');
}

/** docker's reference.Parse on an already-normalised string: validates, returns tag and digest. */
function parseStrict(s: string): { tag?: string; digest?: string } {
  const m = REFERENCE_RE.exec(s);
  if (!m) {
    if (s === '') throw invalidArg('invalid reference format: repository name must have at least one component');
    if (REFERENCE_RE.test(s.toLowerCase()))
      throw invalidArg('invalid reference format: repository name must be lowercase');
    throw invalidArg('invalid reference format');
  }
  if (m[1]!.length > NAME_MAX) {
    throw invalidArg(`invalid reference format: repository name must not be more than ${NAME_MAX} characters`);
  }
  if (m[3]) validateDigest(m[3]);
  return { ...(m[2] ? { tag: m[2] } : {}), ...(m[3] ? { digest: m[3] } : {}) };
}

/** docker's ParseNormalizedNamed: `busybox` -> docker.io/library/busybox. */
export function parseReference(s: string): Reference {
  if (ID_RE.test(s)) throw invalidArg(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  const { domain, rest } = splitDomain(s);
  const nameEnd = rest.search(/[:@]/);
  const remoteName = nameEnd === -1 ? rest : rest.slice(0, nameEnd);
  if (remoteName.toLowerCase() !== remoteName) {
    throw invalidArg(`invalid reference format: repository name (${remoteName}) must be lowercase`);
  }
  if (!DOMAIN_RE.test(domain)) throw invalidArg('invalid reference format');
  return { domain, path: remoteName, ...parseStrict(`${domain}/${rest}`) };
}

export function withDefaultTag(ref: Reference): Reference {
  return ref.tag || ref.digest ? ref : { ...ref, tag: 'latest' };
}

/** domain/path */
export function repoName(ref: Reference): string {
  return `${ref.domain}/${ref.path}`;
}

export function normalizedString(ref: Reference): string {
  return repoName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** docker's FamiliarName: busybox, localhost:5000/app, quay.io/x/y. */
export function familiarName(ref: Reference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return repoName(ref);
  if (ref.path.startsWith(OFFICIAL_PREFIX) && !ref.path.slice(OFFICIAL_PREFIX.length).includes('/')) {
    return ref.path.slice(OFFICIAL_PREFIX.length);
  }
  return ref.path;
}

/** docker's FamiliarString: the familiar name with tag and digest. */
export function familiarString(ref: Reference): string {
  return familiarName(ref) + (ref.tag ? `:${ref.tag}` : '') + (ref.digest ? `@${ref.digest}` : '');
}

/** The target of `tag`, with the docker CLI's message (less its "Error parsing reference": berth says "Error:"). */
export function parseTagTarget(s: string): Reference {
  let ref: Reference;
  try {
    ref = parseReference(s);
  } catch (e) {
    throw invalidArg(`${JSON.stringify(s)} is not a valid repository/tag: ${(e as Error).message}`, e);
  }
  if (ref.digest) throw invalidArg('refusing to create a tag with a digest reference');
  return ref;
}

/** A reference to tag something as (tag, commit, import): no digest allowed. */
export function parseRepoTag(s: string): Reference {
  const ref = parseReference(s);
  if (ref.digest) throw invalidArg('refusing to create a tag with a digest reference');
  return ref;
}

export function isValidTag(tag: string): boolean {
  return TAG_RE.test(tag);
}

export function isFullId(s: string): boolean {
  return /^(sha256:)?[a-f0-9]{64}$/.test(s);
}

/** Hex, optionally sha256:-prefixed: could be a short image ID. */
export function looksLikeIdPrefix(s: string): boolean {
  return /^(sha256:)?[a-f0-9]{1,64}$/.test(s);
}
