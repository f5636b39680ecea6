/**
 * Engine events printed as the docker CLI prints them: the default line
 * (`<time> <type> <action> <id> (k=v, ...)`), the JSON of an EventMessage
 * (with the deprecated status/id/from fields docker still sends), and the
 * object a `--format` template sees (Go field names).
 */
import type { EngineEvent } from '../api.js';
import { goJson } from './json.js';

const p2 = (n: number) => String(n).padStart(2, '0');

/** Go's "2006-01-02T15:04:05.000000000Z07:00" in local time. */
export function rfc3339NanoFixed(timeNano: bigint): string {
  const ms = Number(timeNano / 1_000_000n);
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const zone =
    off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p2(Math.floor(Math.abs(off) / 60))}:${p2(Math.abs(off) % 60)}`;
  const frac = String(timeNano % 1_000_000_000n).padStart(9, '0');
  return (
    `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}T${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}` +
    `.${frac}${zone}`
  );
}

export function eventLine(ev: EngineEvent): string {
  const attrs = Object.keys(ev.Actor.Attributes)
    .sort()
    .map((k) => `${k}=${ev.Actor.Attributes[k]}`);
  return `${rfc3339NanoFixed(ev.timeNano)} ${ev.Type} ${ev.Action} ${ev.Actor.ID}${attrs.length ? ` (${attrs.join(', ')})` : ''}`;
}

/** The deprecated top-level fields docker fills for container and image events. */
function legacy(ev: EngineEvent): { status?: string; id?: string; from?: string } {
  if (ev.Type === 'container')
    return {
      status: ev.Action,
      id: ev.Actor.ID,
      ...(ev.Actor.Attributes.image ? { from: ev.Actor.Attributes.image } : {}),
    };
  if (ev.Type === 'image') return { status: ev.Action, id: ev.Actor.ID };
  return {};
}

/** One line of `--format json`, keys in docker's order; timeNano as an exact integer. */
export function eventJson(ev: EngineEvent): string {
  const head = goJson({ ...legacy(ev), Type: ev.Type, Action: ev.Action, Actor: ev.Actor, scope: ev.scope });
  return `${head.slice(0, -1)},"time":${ev.time},"timeNano":${ev.timeNano}}`;
}

/** What a Go template sees: events.Message's field names. */
export function eventTemplateData(ev: EngineEvent): Record<string, unknown> {
  const l = legacy(ev);
  return {
    Status: l.status ?? '',
    ID: l.id ?? '',
    From: l.from ?? '',
    Type: ev.Type,
    Action: ev.Action,
    Actor: ev.Actor,
    Scope: ev.scope,
    Time: ev.time,
    TimeNano: ev.timeNano,
  };
}
