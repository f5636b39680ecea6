/**
 * Printing lists the way the docker CLI does: the default table, `-q`,
 * `--format json` (one object per line, keys sorted as Go marshals a map),
 * `--format 'table {{.A}}\t{{.B}}'` and plain Go templates.
 */
import { compileTemplate, parseFormat } from '../client/format/template.js';
import { renderTable } from '../client/format/table.js';
import { goJson } from '../client/format/json.js';
import { escapeHtmlJson, goStruct } from '../client/format/go-value.js';
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
  /**
   * The Go type docker names when a template asks for a field its
   * formatter context lacks (`*formatter.imageContext`); when set, such a
   * field is an error, as in docker, instead of printing `<no value>`.
   */
  contextType?: string;
}

export function sortedObject(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

/** docker's formatter contexts marshal as a map: keys sorted, HTML escaped. */
const contextJson = (r: Record<string, unknown>) => escapeHtmlJson(goJson(r));

/** Rows as docker's formatter contexts for templates: sorted, HTML-escaped json; unknown fields fail when the type is given. */
export function formatterContexts(rows: Record<string, string>[], contextType?: string): Record<string, unknown>[] {
  return rows.map((r) => {
    const sorted = sortedObject(r);
    // row methods (ps's `.Label "key"`) stay callable and out of the JSON
    for (const k of Object.getOwnPropertyNames(r))
      if (typeof (r as Record<string, unknown>)[k] === 'function')
        Object.defineProperty(sorted, k, { value: (r as Record<string, unknown>)[k], enumerable: false });
    return goStruct(sorted, { json: () => contextJson(sorted), ...(contextType ? { type: contextType } : {}) });
  });
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
export function renderList(
  rows: Record<string, string>[],
  spec: ListSpec,
  opts: { format?: string | undefined; quiet?: boolean },
): string {
  const lines = (xs: string[]) => xs.map((l) => (l.endsWith('\n') ? l : l + '\n')).join('');
  if (opts.quiet) return lines(rows.map((r) => r[spec.idField] ?? ''));
  const format = opts.format ?? 'table';
  if (format === 'table') {
    return renderTable(
      spec.columns.map((c) => c.header),
      rows.map((r) => spec.columns.map((c) => r[c.field] ?? '')),
    );
  }
  if (format === 'json') return lines(rows.map((r) => contextJson(sortedObject(r))));
  const contexts = formatterContexts(rows, spec.contextType);
  const parsed = parseFormat(format, spec.headers);
  if (parsed.kind === 'table') {
    const render = compileTemplate(parsed.template!);
    return renderTable(
      parsed.headers!,
      contexts.map((r) => render(r).split('\t')),
    );
  }
  const render = compileTemplate(parsed.template ?? format);
  return lines(contexts.map((c) => render(c)));
}

/**
 * `inspect`: a JSON array (4-space indent, as docker) or a template per
 * object; `typed` gives an object its Go-typed form for templates (see
 * go-value.ts), where the command has one.
 */
export function printInspect(
  cli: Cli,
  objects: unknown[],
  format?: string,
  typed?: (o: unknown, i: number) => unknown,
): void {
  if (!format) {
    cli.out(goJson(objects, '    '));
    return;
  }
  const render = compileTemplate(format);
  objects.forEach((o, i) => cli.out(render(typed ? typed(o, i) : o)));
}

/**
 * docker's row method `{{.Label "key"}}` (ps, volume ls, network ls): the label's value, "" when absent. Not enumerable, so
 * `--format json`, `{{json .}}` and `{{.}}` show the row's fields only, as docker's do.
 */
export function withLabelMethod<T extends object>(labels: Record<string, string>, row: T): T {
  const Label = (name: string) => (Object.prototype.hasOwnProperty.call(labels, name) ? labels[name] : '');
  return Object.defineProperty(row, 'Label', { value: Label, enumerable: false });
}
