/** What a `search` term names: a registry and a query (pure, so the app can tell which registry it asks). */
import { DEFAULT_DOMAIN } from '../reference/reference.js';

/** Split "REGISTRY/TERM" (a first part with a dot, a colon, or localhost) from a plain term. */
export function splitTerm(term: string): { registry: string; query: string } {
  const i = term.indexOf('/');
  if (i > 0) {
    const first = term.slice(0, i);
    if (/[.:]/.test(first) || first === 'localhost') return { registry: first, query: term.slice(i + 1) };
  }
  return { registry: DEFAULT_DOMAIN, query: term };
}
