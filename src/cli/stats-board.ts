/**
 * What `berth stats` shows, as pure transitions: which containers have a
 * row, in docker's order (the order they were first seen, newest first at
 * the start, later ones appended), and the frame that redraws the table in
 * place the way the docker CLI writes it.
 */
import type { StatsSample } from '../client/api.js';
import type { StatsRowInput } from '../client/format/stats.js';

export type BoardEntry = StatsRowInput;

/**
 * Listing every container (no names given): rows follow the running set of
 * each batch; with `listed` (-a, every container whatever its state) stopped
 * containers keep a row of zeros. A row keeps its place while it stays.
 */
export function mergeBatch(
  prev: BoardEntry[],
  batch: StatsSample[],
  listed: { id: string; name: string }[] | null,
): BoardEntry[] {
  const samples = new Map(batch.map((s) => [s.id, s]));
  const names = new Map((listed ?? []).map((c) => [c.id, c.name]));
  const keep = (id: string) => samples.has(id) || names.has(id);
  const entry = (id: string, name: string): BoardEntry => {
    const s = samples.get(id) ?? null;
    return { container: id, id, name: s?.name ?? names.get(id) ?? name, sample: s };
  };
  const out = prev.filter((e) => keep(e.id)).map((e) => entry(e.id, e.name));
  const have = new Set(out.map((e) => e.id));
  const add = (id: string, name: string) => {
    if (have.has(id)) return;
    have.add(id);
    out.push(entry(id, name));
  };
  for (const c of listed ?? []) add(c.id, c.name);
  for (const s of batch) add(s.id, s.name);
  return out;
}

/** Named containers: a new sample for one of them, or null when it stopped (docker shows zeros). */
export function updateNamed(entries: BoardEntry[], id: string, sample: StatsSample | null): BoardEntry[] {
  return entries.map((e) => (e.id === id ? { ...e, sample, name: sample?.name ?? e.name } : e));
}

/**
 * docker's redraw: cursor to the top left, every line (the empty one after
 * the last newline too) followed by erase-to-end-of-line, then erase below.
 * docker writes this whether or not its output is a terminal.
 */
export function redrawFrame(text: string): string {
  return (
    '\x1b[H' +
    text
      .split('\n')
      .map((l) => `${l}\x1b[K\n`)
      .join('') +
    '\x1b[J'
  );
}
