/**
 * Typed decoding of request bodies, as Go's encoding/json decodes them into
 * dockerd's structs: keys match field names case-insensitively, unknown keys
 * are ignored, null leaves a field at its zero value, and a value of the
 * wrong JSON kind is refused with Go's message ("json: cannot unmarshal
 * string into Go struct field Config.Env of type []string"), which the
 * server answers with 400. Pure.
 */
import { badRequest } from './errors.js';

export type Shape =
  | 'string'
  | 'bool'
  | 'int'
  | 'uint'
  | 'float'
  | 'any'
  | { slice: Shape }
  | { map: Shape }
  | { struct: string; fields: Record<string, Shape> };

const goType = (s: Shape): string => {
  if (typeof s === 'string')
    return { string: 'string', bool: 'bool', int: 'int64', uint: 'uint64', float: 'float64', any: 'interface {}' }[s];
  if ('slice' in s) return `[]${goType(s.slice)}`;
  if ('map' in s) return `map[string]${goType(s.map)}`;
  return `${s.struct}`;
};

const jsonKind = (v: unknown): string => {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
};

function fail(v: unknown, path: string, s: Shape): never {
  const kind = typeof v === 'number' ? `number ${v}` : jsonKind(v);
  throw badRequest(
    path
      ? `json: cannot unmarshal ${kind} into Go struct field ${path} of type ${goType(s)}`
      : `json: cannot unmarshal ${kind} into Go value of type ${goType(s)}`,
  );
}

function decodeAt(v: unknown, s: Shape, path: string): unknown {
  if (v === null || v === undefined) return undefined;
  if (s === 'any') return v;
  if (s === 'string') return typeof v === 'string' ? v : fail(v, path, s);
  if (s === 'bool') return typeof v === 'boolean' ? v : fail(v, path, s);
  if (s === 'int' || s === 'uint') {
    if (typeof v !== 'number' || !Number.isInteger(v) || (s === 'uint' && v < 0)) fail(v, path, s);
    return v;
  }
  if (s === 'float') return typeof v === 'number' ? v : fail(v, path, s);
  if ('slice' in s) {
    if (!Array.isArray(v)) fail(v, path, s);
    return v.map((x) => decodeAt(x, s.slice, path) ?? zero(s.slice));
  }
  if (typeof v !== 'object' || Array.isArray(v)) fail(v, path, s);
  const obj = v as Record<string, unknown>;
  if ('map' in s) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(obj)) out[k] = decodeAt(x, s.map, path) ?? zero(s.map);
    return out;
  }
  const out: Record<string, unknown> = {};
  const lower = new Map(Object.keys(s.fields).map((k) => [k.toLowerCase(), k]));
  for (const [k, x] of Object.entries(obj)) {
    const name = k in s.fields ? k : lower.get(k.toLowerCase());
    if (!name) continue;
    const fieldPath = path ? `${path}.${name}` : `${s.struct}.${name}`;
    const d = decodeAt(x, s.fields[name]!, fieldPath);
    if (d !== undefined) out[name] = d;
  }
  return out;
}

function zero(s: Shape): unknown {
  if (s === 'string') return '';
  if (s === 'bool') return false;
  if (s === 'int' || s === 'uint' || s === 'float') return 0;
  return null;
}

/** Decode a parsed JSON body into the shape; absent and null fields are left out. */
export function decode<T>(v: unknown, s: Shape): T {
  if (v === undefined || v === null) return {} as T;
  return (decodeAt(v, s, '') ?? {}) as T;
}

export const strings: Shape = { slice: 'string' };
export const stringMap: Shape = { map: 'string' };
export const emptyObjects: Shape = { map: 'any' };
