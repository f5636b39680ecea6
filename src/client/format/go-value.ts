/**
 * Go values for templates. The docker CLI runs `--format` templates over
 * typed Go structs, so a nil slice prints `[]`, a nil map `map[]`, a nil
 * pointer `<nil>`, a struct `{a b}`, a time `2006-01-02 15:04:05 +0000 UTC`,
 * and an unknown field is an error. berth's data is plain JSON; these
 * markers give a value its Go shape where it matters. Pure, no I/O.
 */

/** Hidden property on an object that stands for a Go struct. */
export const GO_STRUCT = Symbol.for('berth.go-struct');

export interface GoStructInfo {
  /**
   * How a missing field fails: the Go type of a formatter context
   * (`can't evaluate field X in type T`), or, when absent, as a decoded
   * JSON object does (`map has no entry for key "X"`).
   */
  type?: string;
  /** Print as a struct, `{v1 v2}` in field order, or `&{v1 v2}` for a pointer (otherwise as a map). */
  print?: boolean | 'pointer';
  /** Exact JSON text for the `json` function. */
  json?: () => string;
}

/** Mark an object as a Go struct (the mark is not enumerable: JSON and keys do not see it). */
export function goStruct<T extends object>(o: T, info: GoStructInfo): T {
  Object.defineProperty(o, GO_STRUCT, { value: info, enumerable: false });
  return o;
}

export function structInfo(v: unknown): GoStructInfo | undefined {
  return v !== null && typeof v === 'object' ? (v as { [GO_STRUCT]?: GoStructInfo })[GO_STRUCT] : undefined;
}

/** A nil slice, map or pointer of a typed struct field. */
export class GoNil {
  constructor(
    /** What Go prints for it. */
    readonly shown: '[]' | 'map[]' | '<nil>',
    /** Set when the field was absent from the JSON: the key a failed lookup names. */
    readonly absentKey?: string,
    /** What `index` returns on it (a nil map's element zero value). */
    readonly zero?: unknown,
  ) {}
  toJSON(): null {
    return null;
  }
}

/** A time.Time decoded from RFC3339: prints as Go's Time.String(), marshals back as RFC3339Nano. */
export class GoTime {
  constructor(readonly rfc3339: string) {}
  toJSON(): string {
    return this.rfc3339;
  }
  toString(): string {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i.exec(this.rfc3339);
    if (!m) return this.rfc3339;
    const [, y, mo, d, h, mi, s, frac, zone] = m;
    const fraction = frac && /[1-9]/.test(frac) ? '.' + frac.replace(/0+$/, '') : '';
    const z = zone!.toUpperCase() === 'Z' ? '+0000 UTC' : `${zone!.replace(':', '')} ${zone!.replace(':', '')}`;
    return `${y}-${mo}-${d} ${h}:${mi}:${s}${fraction} ${z}`;
  }
}

/** An empty struct value (`struct{}` in a port or volume set): prints `{}`. */
export const EMPTY_STRUCT: Readonly<Record<string, never>> = Object.freeze(goStruct({}, { print: true }));

/** encoding/json's HTML escaping, as json.Marshal does it. */
export function escapeHtmlJson(s: string): string {
  return s
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * encoding/json over template data: a value's own JSON where it has one
 * (typed structs, formatter contexts) at any depth, objects otherwise in
 * their key order (sorted when they stand for Go maps).
 */
export function goMarshal(v: unknown, sortKeys = false): string {
  const own = structInfo(v)?.json;
  if (own) return own();
  if (Array.isArray(v)) return `[${v.map((x) => goMarshal(x, sortKeys)).join(',')}]`;
  if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
    const o = v as Record<string, unknown>;
    const keys = Object.keys(o).filter((k) => o[k] !== undefined);
    if (sortKeys) keys.sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${goMarshal(o[k], sortKeys)}`).join(',')}}`;
  }
  return JSON.stringify(v === undefined ? null : v) ?? 'null';
}
