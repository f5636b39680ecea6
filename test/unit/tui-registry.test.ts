/**
 * The registry dialogs' pure parts: docker's progress lines as data (shared
 * by the CLI and the app), the bar narrowed to a dialog, the lines and the
 * search table a dialog draws, the forms' checks with the engine's rules,
 * and the reducer's search results.
 */
import { describe, expect, it } from 'vitest';
import type { ProgressMessage, SearchResult } from '../../src/client/api.js';
import { progressString } from '../../src/client/format/progress-bar.js';
import {
  addMessage,
  barCellsFor,
  emptyProgress,
  lineText,
  type ProgressLines,
} from '../../src/client/format/progress-lines.js';
import { progressRows, searchTable } from '../../src/tui/presenters/registry-lines.js';
import { openForm, openLogin, validateForm } from '../../src/tui/state/forms.js';
import { credentials, pullRequest, pushRequest } from '../../src/tui/state/registry-forms.js';
import { initialState, reduce } from '../../src/tui/state/reducer.js';
import { edit } from '../../src/tui/state/text-edit.js';
import type { AppState, FormState } from '../../src/tui/state/types.js';

const feed = (ms: ProgressMessage[], p: ProgressLines = emptyProgress(), now = 1000) =>
  ms.reduce((acc, m) => addMessage(acc, m, now), p);
const texts = (p: ProgressLines) => p.lines.map((l) => lineText(l, { width: 200, nowSeconds: 1000 }));

describe("docker's progress lines as data", () => {
  it('a message with an ID and progress updates its line; others add a line and forget the IDs', () => {
    const p = feed([
      { status: 'Pulling from library/x', id: 'latest' },
      { status: 'Pulling fs layer', progressDetail: {}, id: 'aaa' },
      { status: 'Pulling fs layer', progressDetail: {}, id: 'bbb' },
      { status: 'Waiting', progressDetail: {}, id: 'aaa' },
      { status: 'Downloading', progressDetail: { current: 5, total: 10 }, id: 'bbb' },
      { aux: { ID: 'sha256:x' } },
      { status: 'Pull complete', progressDetail: {}, id: 'aaa' },
    ]);
    expect(texts(p)).toEqual([
      'latest: Pulling from library/x',
      'aaa: Pull complete',
      // docker's time left: nothing elapsed yet
      'bbb: Downloading [=========================>                         ]       5B/10B 0s',
    ]);
    // a line without progress (pull -a's next tag) starts the IDs afresh, as docker's display does
    const q = feed([{ status: 'Digest: sha256:abc' }, { status: 'Already exists', progressDetail: {}, id: 'aaa' }], p);
    expect(texts(q).slice(3)).toEqual(['Digest: sha256:abc', 'aaa: Already exists']);
    // errors are the stream's end, not a line
    expect(feed([{ error: 'boom', errorDetail: { message: 'boom' } }], q)).toBe(q);
  });

  it('keeps at most `max` lines, counting the ones dropped; the time left runs from when a status began', () => {
    let p = emptyProgress();
    for (let i = 0; i < 5; i++) p = addMessage(p, { status: `line ${i}` }, 1000, 3);
    expect(p.lines.map((l) => l.status)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(p.dropped).toBe(2);
    p = addMessage(p, { status: 'Downloading', progressDetail: { current: 1, total: 4 }, id: 'l' }, 1000, 3);
    p = addMessage(p, { status: 'Downloading', progressDetail: { current: 2, total: 4 }, id: 'l' }, 1010, 3);
    expect(p.lines.at(-1)).toMatchObject({ id: 'l', current: 2, start: 1000 });
    expect(lineText(p.lines.at(-1)!, { width: 200, nowSeconds: 1010 })).toMatch(/2B\/4B 10s$/);
    // a producer's own bar is shown as it drew it; a pipe shows no byte counts
    const drawn = addMessage(emptyProgress(), {
      status: 'Pushing',
      id: 'z',
      progressDetail: { current: 1, total: 2 },
      progress: '[=> ] 1B/2B',
    });
    expect(texts(drawn)).toEqual(['z: Pushing [=> ] 1B/2B']);
    expect(lineText(drawn.lines[0]!, { width: 200, bytes: false })).toBe('z: Pushing');
  });

  it("narrows docker's bar to what a dialog has room for", () => {
    expect(progressString({ current: 5, total: 10 }, 200, 0, 20)).toBe('[==========>          ]       5B/10B');
    expect(barCellsFor(200)).toBe(50);
    expect(barCellsFor(40)).toBe(10);
    const p = feed([
      { status: 'Downloading', progressDetail: { current: 12_345_678, total: 40_100_000 }, id: 'a'.repeat(12) },
    ]);
    const [line] = progressRows(p, 72, 10, 1000);
    expect(line!.length).toBeLessThanOrEqual(72);
    expect(line).toMatch(/^a{12}: Downloading \[=+>\s+\]\s+12\.35MB\/40\.1MB 0s$/);
  });
});

describe('what the registry dialogs draw', () => {
  it('the newest progress lines under a count of the ones above, cleaned of escape sequences', () => {
    const p = feed([
      { status: 'Pulling from evil\x1b]0;title\x07/x', id: '1' },
      ...['a', 'b', 'c', 'd'].map((id) => ({ status: 'Pull complete', progressDetail: {}, id })),
    ]);
    expect(progressRows(p, 60, 10)).toEqual([
      '1: Pulling from evil/x',
      'a: Pull complete',
      'b: Pull complete',
      'c: Pull complete',
      'd: Pull complete',
    ]);
    expect(progressRows(p, 60, 3)).toEqual(['… 3 earlier lines', 'c: Pull complete', 'd: Pull complete']);
  });

  it("docker's search table, a window that keeps the chosen result in view", () => {
    const results: SearchResult[] = Array.from({ length: 6 }, (_, i) => ({
      name: `repo/name-${i}`,
      description: i === 0 ? 'The first one, with a description longer than forty-five characters' : '',
      star_count: i * 10,
      is_official: i === 0,
      is_automated: i === 1,
    }));
    const t = searchTable(results, 80, 0, 3);
    expect(t.header).toMatch(/^NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\s+AUTOMATED\s*$/);
    expect(t.rows[0]).toEqual({
      text: expect.stringMatching(/^repo\/name-0\s+The first one.*…\s+0\s+\[OK\]/),
      selected: true,
    });
    expect(t.rows[1]!.text).toMatch(/^repo\/name-1\s+10\s+\[OK\]\s*$/);
    expect([t.above, t.below]).toEqual([0, 3]);
    const down = searchTable(results, 80, 4, 3);
    expect(down.rows.map((r) => r.selected)).toEqual([false, false, true]);
    expect([down.above, down.below]).toEqual([2, 1]);
    // what a registry names is data: no escape sequence of it is drawn
    const evil = searchTable([{ ...results[1]!, name: 'evil\x1b]0;title\x07/x\x1b[2J\u009b1m' }], 80, 0, 3);
    expect(evil.rows[0]!.text).toMatch(/^evil\/x1m\s+10\s+\[OK\]\s*$/); // a lone C1 introducer goes, its text stays
    // a long name stays whole while the other columns keep their least widths
    const long = searchTable([{ ...results[0]!, name: `127.0.0.1:45555/${'x'.repeat(25)}` }], 80, null, 3);
    expect(long.rows[0]!.text).toContain(`127.0.0.1:45555/${'x'.repeat(25)} `);
  });
});

describe('the registry forms', () => {
  const withValues = (f: FormState, v: Record<string, string | boolean>): FormState => ({
    ...f,
    values: {
      ...f.values,
      ...Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? edit(x) : x])),
    },
  });

  it("checks a pull's reference and platform with the engine's rules", () => {
    const pull = openForm('pull');
    expect(validateForm(pull)).toEqual({ field: 'reference', message: 'an image name is needed' });
    expect(validateForm(withValues(pull, { reference: 'Bad:Name' }))).toEqual({
      field: 'reference',
      message: 'invalid reference format: repository name (library/Bad) must be lowercase',
    });
    expect(validateForm(withValues(pull, { reference: 'alpine', platform: 'linux/nonsense' }))).toEqual({
      field: 'platform',
      message: '"linux/nonsense": unknown operating system or architecture: invalid argument',
    });
    const ok = withValues(pull, { reference: ' localhost:5000/app:1 ', platform: 'linux/arm64/v8' });
    expect(validateForm(ok)).toBeNull();
    expect(pullRequest(ok)).toEqual({ ref: 'localhost:5000/app:1', platform: 'linux/arm64/v8' });
    expect(openForm('pull', ['reg:5000/x']).values.reference).toEqual(edit('reg:5000/x'));
  });

  it('push names a tag (every tag: the repository); login wants both; search a term', () => {
    const push = openForm('push', ['reg:5000/app:1'], ['reg:5000/app:1']);
    expect(push.values.allTags).toBe(false);
    expect(validateForm(push)).toBeNull();
    expect(pushRequest(push)).toEqual({ ref: 'reg:5000/app:1', allTags: false });
    expect(pushRequest(withValues(push, { allTags: true }))).toEqual({ ref: 'reg:5000/app', allTags: true });
    expect(validateForm(openForm('push', ['sha256:' + 'a'.repeat(64)]))?.message).toMatch(/tag it first/);
    const login = openLogin('reg:5000', { op: 'pull', ref: 'reg:5000/app:1', platform: '' }, 'unauthorized');
    expect([login.form, login.error, login.values.save, login.retry?.op]).toEqual([
      'login',
      'unauthorized',
      true,
      'pull',
    ]);
    expect(validateForm(login)).toEqual({ field: 'username', message: 'Username is required' });
    expect(validateForm(withValues(login, { username: 'me' }))).toEqual({
      field: 'password',
      message: 'Password is required',
    });
    expect(credentials(withValues(login, { username: ' me ', password: ' p w ' }))).toEqual({
      username: 'me',
      password: ' p w ',
      save: true,
    });
    expect(validateForm(openForm('search'))).toEqual({ field: 'term', message: 'a term is needed' });
  });
});

describe('the search results in the reducer', () => {
  const result = (name: string): SearchResult => ({
    name,
    description: '',
    star_count: 0,
    is_official: false,
    is_automated: false,
  });
  const opened = (): AppState => reduce(initialState(), { type: 'formOpen', form: openForm('search') });
  const form = (s: AppState) => s.overlay as FormState;

  it('the results arrive with the first chosen; the cursor goes round the term and the results', () => {
    let s = reduce(opened(), {
      type: 'formBusy',
      busy: { label: 'Searching', started: 0, bytes: 0, layers: 0, current: '' },
    });
    expect(reduce(s, { type: 'formField', delta: 1 })).toEqual(s); // nothing moves while it runs
    s = reduce(s, { type: 'searchResults', results: [result('a'), result('b')] });
    expect([form(s).busy, form(s).pick]).toEqual([null, 0]);
    s = reduce(s, { type: 'formField', delta: 1 });
    expect(form(s).pick).toBe(1);
    s = reduce(s, { type: 'formField', delta: 1 });
    expect(form(s).pick).toBeNull(); // back in the term field
    s = reduce(s, { type: 'formField', delta: -1 });
    expect(form(s).pick).toBe(1);
    // typing goes back to the term
    s = reduce(s, { type: 'formKey', input: 'x', key: {} });
    expect([form(s).pick, form(s).values.term]).toEqual([null, { text: 'x', cursor: 1 }]);
    // no results: nothing to choose
    s = reduce(s, { type: 'searchResults', results: [] });
    expect(form(s).pick).toBeNull();
    expect(reduce(s, { type: 'formField', delta: 1 })).toEqual(s);
  });
});
