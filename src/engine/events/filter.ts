/**
 * docker's event filters (moby daemon/events/filter.go semantics), pure:
 * type, event (action), container, image, volume, network, label. Values of one key
 * are alternatives; different keys must all match.
 */
import { invalidArg } from '../errors.js';
import type { EngineEvent } from '../types.js';

const KEYS = ['type', 'event', 'container', 'image', 'volume', 'network', 'label', 'scope'];
const TYPES = ['container', 'image', 'volume', 'network'];
/** Actions with a ": detail" suffix, matched by prefix when the filter has no colon. */
const FUZZY_ACTIONS = ['exec_create', 'exec_start', 'exec_die', 'health_status'];

export function checkEventFilters(filters: Map<string, string[]>): void {
  for (const [key, values] of filters) {
    if (!KEYS.includes(key)) throw invalidArg(`invalid filter '${key}'`);
    if (key === 'type') {
      for (const v of values)
        if (!TYPES.includes(v))
          throw invalidArg(`invalid filter 'type=${v}': berth has container, image, volume and network events`);
    }
  }
}

/** Exact match, or the value starts with the filter (docker's FuzzyMatch: IDs by prefix). */
const fuzzy = (wanted: string[], value: string | undefined) =>
  !!value && wanted.some((w) => value === w || value.startsWith(w));

const stripTag = (name: string) => {
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  return colon > slash ? name.slice(0, colon) : name;
};

function matchAction(wanted: string[], action: string): boolean {
  return wanted.some((w) => action === w || (FUZZY_ACTIONS.includes(w) && action.startsWith(`${w}:`)));
}

function matchLabels(wanted: string[], attrs: Record<string, string>): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? Object.prototype.hasOwnProperty.call(attrs, w) : attrs[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

function matchImage(wanted: string[], ev: EngineEvent): boolean {
  const name = ev.Actor.Attributes[ev.Type === 'image' ? 'name' : 'image'] ?? '';
  const candidates = [ev.Actor.ID, name, stripTag(ev.Actor.ID), stripTag(name)].filter(Boolean);
  return wanted.some((w) => candidates.includes(w));
}

export function matchEvent(ev: EngineEvent, filters: Map<string, string[]>): boolean {
  for (const [key, wanted] of filters) {
    if (!wanted.length) continue;
    const a = ev.Actor;
    switch (key) {
      case 'type':
        if (!wanted.includes(ev.Type)) return false;
        break;
      case 'event':
        if (!matchAction(wanted, ev.Action)) return false;
        break;
      case 'container':
        if (ev.Type !== 'container' || !(fuzzy(wanted, a.ID) || fuzzy(wanted, a.Attributes.name))) return false;
        break;
      case 'volume':
        if (ev.Type !== 'volume' || !fuzzy(wanted, a.ID)) return false;
        break;
      case 'network':
        if (ev.Type !== 'network' || !(fuzzy(wanted, a.ID) || fuzzy(wanted, a.Attributes.name))) return false;
        break;
      case 'image':
        if (!matchImage(wanted, ev)) return false;
        break;
      case 'label':
        if (!matchLabels(wanted, a.Attributes)) return false;
        break;
      case 'scope':
        if (!wanted.includes(ev.scope)) return false;
        break;
    }
  }
  return true;
}
