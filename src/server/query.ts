/** Query parameters read as dockerd reads them (httputils.BoolValue, strconv, filters.FromJSON). Pure. */
import { badRequest } from './errors.js';

/** dockerd's BoolValue: anything but "", "0", "no", "false", "none" is true. */
export function boolParam(q: URLSearchParams, key: string): boolean {
  const s = (q.get(key) ?? '').trim().toLowerCase();
  return !(s === '' || s === '0' || s === 'no' || s === 'false' || s === 'none');
}

/** dockerd's BoolValueOrDefault: the default when the parameter is absent or empty. */
export function boolParamOr(q: URLSearchParams, key: string, def: boolean): boolean {
  return (q.get(key) ?? '') === '' ? def : boolParam(q, key);
}

/** An integer parameter; absent or empty is `def`; anything else not an integer is a 400. */
export function intParam(q: URLSearchParams, key: string, def?: number): number | undefined {
  const s = q.get(key);
  if (s === null || s === '') return def;
  if (!/^[-+]?\d+$/.test(s.trim())) throw badRequest(`strconv.Atoi: parsing "${s}": invalid syntax`);
  const n = Number(s.trim());
  if (!Number.isSafeInteger(n)) throw badRequest(`strconv.Atoi: parsing "${s}": value out of range`);
  return n;
}

/**
 * The `filters` parameter: `{"key":{"value":true}}` (and the older
 * `{"key":["value"]}`) into the map the backend takes.
 */
export function filtersParam(q: URLSearchParams, key = 'filters'): Map<string, string[]> {
  const raw = q.get(key);
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (e) {
    throw badRequest(`invalid filter: ${(e as Error).message}`);
  }
  if (parsed === null) return out;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('invalid filter: expected a JSON object');
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    let values: string[];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) values = v as string[];
    else if (v && typeof v === 'object' && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'boolean'))
      values = Object.entries(v as Record<string, boolean>)
        .filter(([, on]) => on)
        .map(([val]) => val);
    else throw badRequest(`invalid filter: the values of '${k}' must be a list or a map of strings to true`);
    out.set(k.toLowerCase(), [...(out.get(k.toLowerCase()) ?? []), ...values]);
  }
  return out;
}

/** The value of a required parameter, or a 400 naming it. */
export function requiredParam(q: URLSearchParams, key: string): string {
  const v = q.get(key);
  if (!v) throw badRequest(`${key} parameter is required`);
  return v;
}
