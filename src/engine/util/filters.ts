/** docker's filter semantics shared by images, containers and volumes. */
import { invalidArg } from '../errors.js';
import {
  familiarName,
  familiarString,
  normalizedString,
  parseReference,
  repoName,
  type Reference,
} from '../reference/reference.js';
import { parseTimestampFilter } from './time.js';

/** Validate filter keys against what a command accepts. */
export function checkFilterKeys(filters: Map<string, string[]>, allowed: string[]): void {
  for (const key of filters.keys()) if (!allowed.includes(key)) throw invalidArg(`invalid filter '${key}'`);
}

/** dangling=true|false|1|0 (case-insensitive). */
export function boolFilter(values: string[], key: string): boolean {
  const v = values[values.length - 1]!.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidArg(`invalid filter '${key}=${values[values.length - 1]}'`);
}

/** label=key, label=key=value, label!=... : does the label set match? */
export function matchLabel(labels: Record<string, string> | null | undefined, expr: string): boolean {
  const l = labels ?? {};
  const ne = expr.indexOf('!=');
  if (ne > 0) return l[expr.slice(0, ne)] !== expr.slice(ne + 2);
  const eq = expr.indexOf('=');
  if (eq < 0) return Object.prototype.hasOwnProperty.call(l, expr);
  return l[expr.slice(0, eq)] === expr.slice(eq + 1);
}

/** Go's path.Match: * and ? never match '/', [...] classes, \ escapes. */
export function pathMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) throw invalidArg(`syntax error in pattern: ${pattern}`);
      let cls = pattern.slice(i + 1, end);
      if (cls.startsWith('^')) cls = '^' + cls.slice(1);
      re += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += c.replace(/[.+(){}|$^]/g, '\\$&');
  }
  return new RegExp(re + '$').test(name);
}

/**
 * docker's reference filter: the pattern against the familiar and the
 * canonical forms of the name, with and without its tag or digest
 * (`bb`, `bb:v1`, `docker.io/library/bb`, `docker.io/library/bb:v1`).
 */
export function matchReference(pattern: string, familiar: string): boolean {
  let ref: Reference;
  try {
    ref = parseReference(familiar);
  } catch {
    return pathMatch(pattern, familiar);
  }
  const targets = [familiarString(ref), familiarName(ref), normalizedString(ref), repoName(ref)];
  return targets.some((t) => pathMatch(pattern, t));
}

/** until=<timestamp|duration> as milliseconds since the epoch. */
export function parseUntil(value: string, now = new Date()): number {
  return Number(parseTimestampFilter(value, now) / 1_000_000n);
}

/** until= for images (docker's message when it is not a time), as nanoseconds since the epoch. */
export function untilNanos(value: string, now = new Date()): bigint {
  try {
    return parseTimestampFilter(value, now);
  } catch (e) {
    throw invalidArg(`invalid value for 'until' filter: ${(e as Error).message}`);
  }
}
