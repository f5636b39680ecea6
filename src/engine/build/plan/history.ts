/**
 * The strings a build shows and records, as BuildKit writes them: progress
 * names (`[stage 2/5] RUN ...`), history `created_by` entries (`RUN |1 A=b
 * /bin/sh -c ... # buildkit`, `CMD ["sh"]`, `HEALTHCHECK &{...}` as the
 * peer docker 20.10 prints it), heredoc summaries, exposed port specs. Pure.
 */
import { invalidArg } from '../../errors.js';
import { goDuration, goQuote, goQuoteList, goQuoteRune } from './go-format.js';

export const HISTORY_COMMENT = 'buildkit.dockerfile.v0';

/** `[label n/total] text`, n padded to total's width (prefixCommand). */
export function prefixName(label: string, index: number, total: number, text: string, onbuild = false): string {
  if (total === 0) return text;
  const width = 1 + Math.floor(Math.log10(total));
  return `[${label ? label + ' ' : ''}${String(index).padStart(width)}/${total}] ${onbuild ? 'ONBUILD ' : ''}${text}`;
}

/** The first word upper-cased (uppercaseCmd). */
export function uppercaseCmd(s: string): string {
  const i = s.indexOf(' ');
  return i < 0 ? s.toUpperCase() : s.slice(0, i).toUpperCase() + s.slice(i);
}

/** RUN's history text: the declared ARGs (`|N k=v ...`) before the command (runCommandString). */
export function runCommandString(
  args: string[],
  declared: { name: string; value?: string }[],
  env: ReadonlyMap<string, string>,
): string {
  const order: string[] = [];
  const values = new Map<string, string>();
  for (const a of declared) {
    const v = env.get(a.name) ?? a.value ?? '';
    if (!values.has(a.name)) order.push(a.name);
    values.set(a.name, v);
  }
  const pre = order.length ? [`|${order.length}`, ...order.map((k) => `${k}=${values.get(k)}`)] : [];
  return [...pre, ...args].join(' ');
}

/** A heredoc's first line, `...` when it has more (summarizeHeredoc). */
export function summarizeHeredoc(doc: string): string {
  const lines = doc.trim().replace(/\r\n/g, '\n').split('\n');
  return lines[0]! + (lines.length > 1 ? '...' : '');
}

export interface HealthDraft {
  Test: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** `HEALTHCHECK %q` of docker 20.10's HealthConfig, as the peer's history shows it. */
export function healthcheckHistory(h: HealthDraft): string {
  const d = (n?: number) => goQuote(goDuration(n ?? 0));
  return `HEALTHCHECK &{${goQuoteList(h.Test)} ${d(h.Interval)} ${d(h.Timeout)} ${d(h.StartPeriod)} ${goQuoteRune(h.Retries ?? 0)}}`;
}

function portNumber(raw: string, what: string): number {
  if (!/^[-+]?\d+$/.test(raw)) throw invalidArg(`invalid ${what}: ${raw}`);
  const n = Number(raw);
  if (n < 0 || n > 65535) throw invalidArg(`invalid ${what}: ${raw}`);
  return n;
}

/** One EXPOSE word as port/proto entries (ranges expanded; a host part is accepted and dropped). */
export function parseExposedPort(raw: string): string[] {
  const parts = raw.split(':');
  const container = parts[parts.length - 1]!;
  const slash = container.indexOf('/');
  const port = slash < 0 ? container : container.slice(0, slash);
  const proto = slash < 0 ? '' : container.slice(slash + 1);
  if (!port) throw invalidArg(`invalid port: ${goQuote(raw)}: no port specified`);
  const p = proto.toLowerCase() || 'tcp';
  if (!['tcp', 'udp', 'sctp'].includes(p)) throw invalidArg(`invalid port: ${goQuote(raw)}: invalid proto: ${proto}`);
  const dash = port.indexOf('-');
  const start = portNumber(dash < 0 ? port : port.slice(0, dash), 'containerPort');
  const end = dash < 0 ? start : portNumber(port.slice(dash + 1), 'containerPort');
  if (end < start) throw invalidArg(`invalid containerPort: ${port}`);
  const out: string[] = [];
  for (let i = start; i <= end; i++) out.push(`${i}/${p}`);
  return out;
}
