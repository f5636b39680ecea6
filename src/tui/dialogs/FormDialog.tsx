/**
 * The dialogs with fields (commit, save, load, tag, run, export, new
 * volume, pull, push, search, credentials, build): text fields with a cursor,
 * multi-line fields, switches, a password field that draws only a mask,
 * the field's hint or Tab's completions, the validation or engine message,
 * and while the work runs a progress bar with bytes, layers and rate, or
 * docker's per-layer lines for a pull or a push, or a build's steps; the
 * search results.
 */
import { Text } from 'ink';
import { useCallback } from 'react';
import { humanSize } from '../../client/format/humanize.js';
import { runCommand } from '../actions/commands.js';
import { completeField } from '../actions/complete.js';
import { cancelForm, submitForm } from '../actions/form-actions.js';
import { useServices } from '../hooks/context.js';
import { useKeys, type KeyHandler } from '../hooks/use-keys.js';
import { displayKey, type Keymap } from '../keymap/keys.js';
import { fit, wrapCells } from '../presenters/columns.js';
import { fieldHint, FORMS, type FieldSpec } from '../state/forms.js';
import type { Edit } from '../state/text-edit.js';
import type { Busy, FormState } from '../state/types.js';
import type { Theme } from '../theme/theme.js';
import { BuildSteps } from './BuildSteps.js';
import { Frame, Line, pad } from './Frame.js';
import { ProgressBoard, SearchResults } from './RegistryParts.js';

/** "12.3MB / 40MB  2 layers  5.1MB/s" and the fraction done (null when the total is unknown). */
export function progressText(b: Busy, now: number): { text: string; fraction: number | null } {
  const secs = Math.max((now - b.started) / 1000, 0.001);
  const total = b.total ? ` / ${humanSize(b.total)}` : '';
  const layers = b.layers ? `  ${b.layers} layer${b.layers === 1 ? '' : 's'}` : '';
  const rate = b.bytes ? `  ${humanSize(b.bytes / secs)}/s` : '';
  return {
    text: `${humanSize(b.bytes)}${total}${layers}${rate}`,
    fraction: b.total ? Math.min(1, b.bytes / b.total) : null,
  };
}

function EditView({ e, width, active, theme }: { e: Edit; width: number; active: boolean; theme: Theme }) {
  // keep the cursor in view: show the end of long text
  const start = Math.max(0, e.cursor - width + 1);
  const visible = e.text.slice(start, start + width);
  const cur = e.cursor - start;
  const rest = fit(visible.slice(cur + 1), Math.max(0, width - cur - 1));
  if (!active) return <Text color={theme.colors.accent}>{fit(visible, width)}</Text>;
  return (
    <Text color={theme.colors.accent}>
      {visible.slice(0, cur)}
      <Text inverse>{visible[cur] ?? ' '}</Text>
      {rest}
    </Text>
  );
}

function Field({
  spec,
  f,
  i,
  width,
  theme,
}: {
  spec: FieldSpec;
  f: FormState;
  i: number;
  width: number;
  theme: Theme;
}) {
  const active = i === f.field && !f.busy;
  const labelW = 18;
  const valueW = width - 4 - labelW - 1;
  const label = fit(spec.label, labelW);
  const v = f.values[spec.name];
  const marker = active ? theme.glyphs.pointer : ' ';
  if (typeof v === 'boolean') {
    return (
      <Text wrap="truncate" bold={active}>
        {`${marker}${label} `}
        <Text inverse={active}>{v ? '[x] on ' : '[ ] off'}</Text>
        {' '.repeat(Math.max(0, valueW - 7))}{' '}
      </Text>
    );
  }
  if (spec.kind === 'multiline') {
    const lines = v!.text.split('\n');
    // the cursor's line and position within it
    const before = v!.text.slice(0, v!.cursor).split('\n');
    const curLine = before.length - 1;
    const shown = lines.length > 4 ? Math.max(0, Math.min(curLine - 1, lines.length - 4)) : 0;
    return (
      <>
        {lines.slice(shown, shown + 4).map((l, j) => {
          const n = shown + j;
          return (
            <Text key={n} wrap="truncate" bold={active && j === 0}>
              {j === 0 ? `${marker}${label} ` : ' '.repeat(labelW + 2)}
              {active && n === curLine ? (
                <EditView e={{ text: l, cursor: before[curLine]!.length }} width={valueW} active theme={theme} />
              ) : (
                <Text color={theme.colors.accent}>{fit(l, valueW)}</Text>
              )}{' '}
            </Text>
          );
        })}
      </>
    );
  }
  // a password: one mask glyph per character, the text itself never drawn
  const e = spec.kind === 'secret' ? { text: theme.glyphs.mask.repeat(v!.text.length), cursor: v!.cursor } : v!;
  return (
    <Text wrap="truncate" bold={active}>
      {`${marker}${label} `}
      <EditView e={e} width={valueW} active={active} theme={theme} />{' '}
    </Text>
  );
}

/** A binding's arrow key if it has one ("↑"), else its first key: the short form for moving in a list. */
function arrowLabel(keymap: Keymap, id: string, unicode: boolean): string {
  const keys = keymap.keys(id);
  return displayKey(keys.find((k) => k === 'up' || k === 'down') ?? keys[0] ?? '', unicode);
}

/** Lines the frame, the fields and the message take (what is left is for progress or results). */
function usedLines(f: FormState, width: number): number {
  let n = 4 + 1 + errorLines(f, width).length; // border, title, footer; blank line; hint or message
  for (const spec of FORMS[f.form].fields) {
    const v = f.values[spec.name];
    n += spec.kind === 'multiline' && typeof v === 'object' ? Math.min(4, v.text.split('\n').length) : 1;
  }
  return n;
}

/** The engine's message in up to three lines (a failed build's ends with its exit code), else none. */
const errorLines = (f: FormState, width: number): string[] =>
  f.error ? wrapCells(f.error.trimEnd(), width - 4, 3) : [''];

function ProgressLines({ b, width, theme }: { b: Busy; width: number; theme: Theme }) {
  const p = progressText(b, Date.now());
  const barW = width - 4;
  const filled = p.fraction === null ? 0 : Math.round(p.fraction * barW);
  return (
    <>
      <Line width={width} bold>{`${b.label}…`}</Line>
      {p.fraction !== null ? (
        <Text>
          {' '}
          <Text color={theme.colors.accent}>{theme.glyphs.barFull.repeat(filled)}</Text>
          <Text color={theme.colors.muted}>{theme.glyphs.barEmpty.repeat(barW - filled)}</Text>{' '}
        </Text>
      ) : null}
      <Line width={width}>{p.text}</Line>
    </>
  );
}

export function FormDialog({ f, columns, rows }: { f: FormState; columns: number; rows: number }) {
  const svc = useServices();
  const { theme, keymap } = svc;
  const spec = FORMS[f.form];
  const field = spec.fields[f.field]!;
  const onKey: KeyHandler = useCallback(
    (b, input, key) => {
      const d = svc.store.dispatch;
      switch (b?.id) {
        case 'dialog.submit':
          if (field.kind === 'multiline') return d({ type: 'formKey', input, key });
          return void submitForm(svc, f);
        case 'dialog.submitAlways':
          return void submitForm(svc, f);
        case 'dialog.cancel':
          return cancelForm(svc, f);
        case 'dialog.nextField':
          if (key.tab && completeField(svc, f)) return;
          return d({ type: 'formField', delta: 1 });
        case 'dialog.prevField':
          return d({ type: 'formField', delta: -1 });
        case 'dialog.toggle':
          if (field.kind === 'toggle') return d({ type: 'formToggle' });
          return d({ type: 'formKey', input: ' ', key });
        case 'app.interrupt':
          return void runCommand(svc, b.id);
        default:
          return d({ type: 'formKey', input, key });
      }
    },
    [svc, f, field],
  );
  useKeys(['dialog'], onKey, true);
  const registry = f.form === 'pull' || f.form === 'push' || f.form === 'search' || f.form === 'login';
  const width = Math.min(columns - 4, registry || f.form === 'build' ? 120 : 84);
  const target = f.names.length ? `${f.form === 'login' ? ' ' : ': '}${f.names.join(', ')}` : '';
  const hint = f.hint ?? fieldHint(f.form, field.name) ?? '';
  // room for progress lines or results, the dialog keeping a line clear above and below
  const room = Math.max(1, rows - 2 - usedLines(f, width) - 1);
  const picking = f.form === 'search' && f.pick != null && !f.busy;
  const help = f.busy
    ? `${keymap.label('dialog.cancel')} cancels`
    : picking
      ? `${keymap.label('dialog.submit')} pulls it · ${arrowLabel(keymap, 'dialog.prevField', theme.unicode)}${arrowLabel(keymap, 'dialog.nextField', theme.unicode)} choose · typing edits the term · ${keymap.label('dialog.cancel')} closes`
      : `${keymap.label('dialog.submit')} ${spec.submit.toLowerCase()} · ${keymap.label('dialog.nextField')} next field · ${keymap.label('dialog.cancel')} cancel${spec.fields.some((x) => x.kind === 'multiline') ? ` · ${keymap.label('dialog.submitAlways')} ${spec.submit.toLowerCase()} from a multi-line field` : ''}`;
  return (
    <Frame title={`${spec.title}${target}`} width={width} columns={columns} rows={rows} theme={theme} footer={help}>
      {spec.fields.map((s, i) => (
        <Field key={s.name} spec={s} f={f} i={i} width={width} theme={theme} />
      ))}
      <Line width={width}>{''}</Line>
      {f.error ? (
        errorLines(f, width).map((l, i) => (
          <Text key={`error${i}`} color={theme.colors.error} wrap="truncate">
            {pad(l, width)}
          </Text>
        ))
      ) : (
        <Line width={width} color={theme.colors.muted}>
          {hint}
        </Line>
      )}
      {f.output ? (
        <BuildSteps o={f.output} width={width} room={room} theme={theme} />
      ) : f.busy?.lines ? (
        <ProgressBoard label={f.busy.label} lines={f.busy.lines} width={width} room={room} />
      ) : f.busy ? (
        <ProgressLines b={f.busy} width={width} theme={theme} />
      ) : f.results ? (
        <SearchResults f={f} width={width} room={room} theme={theme} />
      ) : null}
    </Frame>
  );
}
