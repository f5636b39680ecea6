/** `-f key=value` flags into the filter map the backend takes (keys are validated by the backend). */
import { BerthError } from '../engine/errors.js';

export function parseFilterArgs(args: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const a of args) {
    const eq = a.indexOf('=');
    if (eq <= 0) throw new BerthError('INVALID_ARGUMENT', `bad format of filter (expected name=value)`);
    const key = a.slice(0, eq).trim().toLowerCase();
    out.set(key, [...(out.get(key) ?? []), a.slice(eq + 1)]);
  }
  return out;
}
