/**
 * Printing lists the way the docker CLI does: the default table, `-q`,
 * `--format json` (one object per line, keys sorted as Go marshals a map),
 * `--format 'table {{.A}}\t{{.B}}'` and plain Go templates.
 */
import { compileTemplate, parseFormat } from '../client/format/template.js';
import { renderTable } from '../client/format/table.js';
import { goJson } from '../client/format/json.js';
import type { Cli } from './context.js';

export interface Column {
  header: string;
  field: string;
}

export interface ListSpec {
  /** Default table columns. */
  columns: Column[];
  /** Header names for fields in `table` templates (docker's per-command names). */
  headers: Record<string, string>;
  /** Field used by -q. */
  idField: string;
}

export function sortedObject(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

export function printList(
  cli: Cli,
  rows: Record<string, string>[],
  spec: ListSpec,
  opts: { format?: string | undefined; quiet?: boolean },
): void {
  cli.stdout.write(renderList(rows, spec, opts));
}

/** What printList prints, as text (for output that is redrawn, such as `stats`). */
export function renderList(rows: Record<string, string>[], spec: ListSpec, opts: { format?: string | undefined; quiet?: boolean }): string {
  const lines = (xs: string[]) => xs.map((l) => (l.endsWith('\n') ? l : l + '\n')).join('');
  if (opts.quiet) return lines(rows.map((r) => r[spec.idField] ?? ''));
  const format = opts.format ?? 'table';
  if (format === 'table') {
    return renderTable(spec.columns.map((c) => c.header), rows.map((r) => spec.columns.map((c) => r[c.field] ?? '')));
  }
  if (format === 'json') return lines(rows.map((r) => goJson(sortedObject(r))));
  const parsed = parseFormat(format, spec.headers);
  if (parsed.kind === 'table') {
    const render = compileTemplate(parsed.template!);
    return renderTable(parsed.headers!, rows.map((r) => render(r).split('\t')));
  }
  const render = compileTemplate(parsed.template ?? format);
  return lines(rows.map((r) => render(r)));
}

/** `inspect`: a JSON array (4-space indent, as docker) or a template per object. */
export function printInspect(cli: Cli, objects: unknown[], format?: string): void {
  if (!format) {
    cli.out(goJson(objects, '    '));
    return;
  }
  const render = compileTemplate(format);
  for (const o of objects) cli.out(render(o));
}
