/**
 * The build dialog's pure parts: the form's checks with the engine's rules
 * and the request it turns into (build arguments as --build-arg takes them),
 * the step rows fitted to the dialog, a long engine message wrapped at
 * spaces, and the reducer keeping a build's display after a failure.
 */
import { describe, expect, it } from 'vitest';
import type { ProgressRow } from '../../src/client/format/build-progress.js';
import { buildStepLines } from '../../src/tui/presenters/build-lines.js';
import { wrapCells } from '../../src/tui/presenters/columns.js';
import { buildRequest } from '../../src/tui/state/build-forms.js';
import { openForm, validateForm } from '../../src/tui/state/forms.js';
import { initialState, reduce } from '../../src/tui/state/reducer.js';
import { edit } from '../../src/tui/state/text-edit.js';
import type { FormState } from '../../src/tui/state/types.js';

const form = (values: Record<string, string | boolean>): FormState => {
  const f = openForm('build');
  for (const [k, v] of Object.entries(values)) f.values[k] = typeof v === 'string' ? edit(v) : v;
  return f;
};

describe('the build form', () => {
  it('opens on the current directory with the cache on, and checks tags and arguments', () => {
    const f = openForm('build');
    expect(f.values.context).toEqual(edit('.'));
    expect(f.values.noCache).toBe(false);
    expect(validateForm(f)).toBeNull();
    expect(validateForm(form({ context: '  ' }))).toEqual({ field: 'context', message: 'a directory is needed' });
    expect(validateForm(form({ tags: 'ok:1 Bad:Name' }))?.field).toBe('tags');
    expect(validateForm(form({ tags: 'ok:1 Bad:Name' }))?.message).toMatch(/invalid reference format/);
    expect(validateForm(form({ args: 'A=1\n=2' }))).toEqual({
      field: 'args',
      message: 'invalid build argument: =2 (KEY=VALUE)',
    });
  });

  it('turns into the request: tags in order, arguments with "=" as typed, a name alone from the environment', () => {
    const f = form({ tags: ' a:1  b ', args: 'A=1=2\nEMPTY=\nFROMENV\nUNSET\n', noCache: true });
    const r = buildRequest(f, '/ctx', '/ctx/other.Dockerfile', { FROMENV: 'env value' });
    expect(r.tags).toEqual(['a:1', 'b']);
    expect([...r.buildArgs]).toEqual([
      ['A', '1=2'],
      ['EMPTY', ''],
      ['FROMENV', 'env value'],
    ]);
    expect(r.noCache).toBe(true);
    expect(r.context).toEqual({
      source: { kind: 'dir', path: '/ctx' },
      dockerfile: { path: '/ctx/other.Dockerfile' },
    });
    expect(buildRequest(form({}), '/ctx', null, {}).context).toEqual({ source: { kind: 'dir', path: '/ctx' } });
  });
});

describe("the build's steps in the dialog", () => {
  const rows: ProgressRow[] = [
    { text: '=> [1/3] FROM docker.io/library/bb:latest', time: '0.0s', kind: 'done' },
    { text: '=> CACHED [2/3] COPY a /a', time: '0.0s', kind: 'cached' },
    { text: '=> [3/3] RUN a-very-long-command-that-does-not-fit', time: '12.3s', kind: 'running' },
    { text: '=> => # out\x1b]0;title\x07put', time: '', kind: 'log' },
  ];

  it('fits each row with its time at the right edge, and cleans escape sequences', () => {
    const l = buildStepLines(rows, 40, 10);
    expect(l.map((x) => x.text)).toEqual([
      '=> [1/3] FROM docker.io/library/bb… 0.0s',
      '=> CACHED [2/3] COPY a /a           0.0s',
      '=> [3/3] RUN a-very-long-command-… 12.3s',
      '=> => # output                          ',
    ]);
    expect(l.map((x) => x.kind)).toEqual(['done', 'cached', 'running', 'log']);
  });

  it('keeps the newest rows under a count of those above when they do not fit', () => {
    const l = buildStepLines(rows, 40, 3);
    expect(l[0]).toEqual({ text: '… 2 earlier lines', kind: 'more' });
    expect(l.slice(1).map((x) => x.kind)).toEqual(['running', 'log']);
  });

  it('wraps an engine message at spaces, cutting a word longer than the line, at most so many lines', () => {
    const m = 'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3';
    expect(wrapCells(m, 30, 3)).toEqual([
      'process "/bin/sh -c exit 3"',
      'did not complete successfully:',
      'exit code: 3',
    ]);
    expect(wrapCells(m, 30, 2)).toEqual(['process "/bin/sh -c exit 3"', 'did not complete successfully…']);
    expect(wrapCells('abcdefghij klm', 4, 5)).toEqual(['abcd', 'efgh', 'ij', 'klm']);
    expect(wrapCells('short', 30, 3)).toEqual(['short']);
  });

  it('the display stays in the dialog after a failure, which ends the work', () => {
    let s = reduce(initialState(), { type: 'formOpen', form: openForm('build') });
    s = reduce(s, {
      type: 'formBusy',
      busy: { label: 'Building .', started: 0, bytes: 0, layers: 0, current: '' },
    });
    const output = { header: '[+] Building 1.0s (2/2) FINISHED', rows };
    s = reduce(s, { type: 'formOutput', output });
    s = reduce(s, { type: 'formError', message: 'process "sh" did not complete successfully: exit code: 3' });
    const f = s.overlay as FormState;
    expect(f.busy).toBeNull();
    expect(f.output).toEqual(output);
    expect(f.error).toMatch(/exit code: 3/);
  });
});
