import { describe, expect, it } from 'vitest';
import type { ContainerSummary, ImageSummary, VolumeInfo } from '../../src/client/api.js';
import { connectRequest, networkRequest, openForm, runRequest, validateForm } from '../../src/tui/state/forms.js';
import { initialState, reduce, type Action } from '../../src/tui/state/reducer.js';
import { currentTab, imageTargets, selectedRow, visibleRows } from '../../src/tui/state/selectors.js';
import type { AppState, FormState } from '../../src/tui/state/types.js';

const ctr = (
  id: string,
  name: string,
  state = 'running',
  mounts: ContainerSummary['Mounts'] = [],
): ContainerSummary => ({
  Id: id.padEnd(64, '0'),
  Names: [`/${name}`],
  Image: 'bb',
  ImageID: 'sha256:' + 'a'.repeat(64),
  Command: 'sh',
  Created: 0,
  Ports: [],
  Labels: {},
  State: state,
  Status: '',
  StartedAt: '2024-01-01T00:00:00Z',
  FinishedAt: '0001-01-01T00:00:00Z',
  ExitCode: 0,
  RestartCount: 0,
  Pid: 1,
  HostConfig: { NetworkMode: 'none' },
  NetworkSettings: { Networks: { none: {} } },
  Mounts: mounts,
});
const img = (hex: string, tags: string[]): ImageSummary => ({
  Id: 'sha256:' + hex.padEnd(64, '0'),
  ParentId: '',
  RepoTags: tags,
  RepoDigests: [],
  Created: 0,
  Size: 1000,
  SharedSize: -1,
  VirtualSize: 1000,
  Labels: {},
  Containers: -1,
});
const vol = (name: string): VolumeInfo => ({
  Name: name,
  Driver: 'local',
  Mountpoint: '/x',
  CreatedAt: '',
  Labels: {},
  Options: {},
  Scope: 'local',
});

const run = (s: AppState, ...actions: Action[]) => actions.reduce(reduce, s);
const names = (s: AppState) => visibleRows(s, 'containers').map((r) => r.name);

function loaded(): AppState {
  return run(
    initialState(),
    {
      type: 'data',
      list: 'containers',
      items: [ctr('a1', 'web'), ctr('b2', 'db', 'exited'), ctr('c3', 'cache', 'paused')],
    },
    { type: 'data', list: 'images', items: [img('11', ['bb:latest', 'bb:1']), img('22', []), img('33', ['app:2'])] },
    { type: 'data', list: 'volumes', items: [vol('data'), vol('logs')] },
  );
}

describe('reducer: selection and lists', () => {
  it('selects the first row once data arrives and moves within bounds', () => {
    let s = loaded();
    expect(selectedRow(s, 'containers')?.name).toBe('web');
    s = run(s, { type: 'move', delta: 1 }, { type: 'move', delta: 5 });
    expect(selectedRow(s, 'containers')?.name).toBe('cache');
    s = run(s, { type: 'move', delta: -10 });
    expect(selectedRow(s, 'containers')?.name).toBe('web');
    s = run(s, { type: 'moveEdge', edge: 'last' });
    expect(selectedRow(s, 'containers')?.name).toBe('cache');
  });

  it('keeps the selection on the same row when the list changes under it', () => {
    let s = run(loaded(), { type: 'move', delta: 1 });
    expect(selectedRow(s, 'containers')?.name).toBe('db');
    // a new container appears on top (another process ran it)
    s = run(s, {
      type: 'data',
      list: 'containers',
      items: [ctr('d4', 'new'), ctr('a1', 'web'), ctr('b2', 'db', 'exited'), ctr('c3', 'cache', 'paused')],
    });
    expect(selectedRow(s, 'containers')?.name).toBe('db');
    // the selected one goes away: the selection stays at its place
    s = run(s, {
      type: 'data',
      list: 'containers',
      items: [ctr('d4', 'new'), ctr('a1', 'web'), ctr('c3', 'cache', 'paused')],
    });
    expect(selectedRow(s, 'containers')?.name).toBe('cache');
  });

  it('hides stopped containers with A and keeps a valid selection', () => {
    let s = run(loaded(), { type: 'move', delta: 1 });
    s = run(s, { type: 'toggleAll' });
    expect(names(s)).toEqual(['web', 'cache']);
    expect(selectedRow(s, 'containers')?.name).toBe('cache');
    s = run(s, { type: 'toggleAll' });
    expect(names(s)).toEqual(['web', 'db', 'cache']);
  });

  it('filters the focused list as the user types, Esc clears', () => {
    let s = loaded();
    s = run(s, { type: 'filterStart' });
    for (const ch of 'ca') s = run(s, { type: 'filterKey', input: ch, key: {} });
    expect(names(s)).toEqual(['cache']);
    expect(selectedRow(s, 'containers')?.name).toBe('cache');
    s = run(s, { type: 'filterKey', input: '', key: { backspace: true } });
    expect(s.lists.containers.filter.text).toBe('c');
    s = run(s, { type: 'filterAccept' });
    expect(s.lists.containers.filtering).toBe(false);
    expect(s.lists.containers.filter.text).toBe('c');
    s = run(s, { type: 'filterClear' });
    expect(names(s)).toEqual(['web', 'db', 'cache']);
  });

  it('one row per tag for images; marks follow rows and drop when rows go', () => {
    let s = run(loaded(), { type: 'focus', target: 'images' });
    expect(visibleRows(s, 'images').map((r) => r.ref)).toEqual([
      'bb:latest',
      'bb:1',
      'sha256:22' + '0'.repeat(62),
      'app:2',
    ]);
    s = run(s, { type: 'mark' }, { type: 'moveEdge', edge: 'last' }, { type: 'mark' });
    expect(imageTargets(s).refs).toEqual(['bb:latest', 'app:2']);
    // app:2 is removed elsewhere: its mark goes with it
    s = run(s, { type: 'data', list: 'images', items: [img('11', ['bb:latest', 'bb:1']), img('22', [])] });
    expect(imageTargets(s).refs).toEqual(['bb:latest']);
    s = run(s, { type: 'clearMarks' });
    expect(imageTargets(s).refs).toEqual([selectedRow(s, 'images')!.ref]);
  });

  it('volumes list the containers that use them', () => {
    const s = run(loaded(), {
      type: 'data',
      list: 'containers',
      items: [
        ctr('a1', 'web', 'running', [
          { Type: 'volume', Name: 'data', Source: '', Destination: '/d', Mode: '', RW: true, Propagation: '' },
        ]),
      ],
    });
    expect(visibleRows(s, 'volumes').map((r) => [r.ref, r.users])).toEqual([
      ['data', ['web']],
      ['logs', []],
    ]);
  });
});

describe('reducer: focus, tabs, overlays', () => {
  it('cycles focus through the lists and the main panel; the main panel keeps showing the last list', () => {
    let s = loaded();
    s = run(s, { type: 'focusCycle', delta: 1 });
    expect([s.focus, s.subject]).toEqual(['images', 'images']);
    s = run(s, { type: 'focusCycle', delta: 1 }, { type: 'focusCycle', delta: 1 }, { type: 'focusCycle', delta: 1 });
    expect([s.focus, s.subject]).toEqual(['main', 'networks']);
    s = run(s, { type: 'focusCycle', delta: 1 });
    expect(s.focus).toBe('containers');
    s = run(s, { type: 'focusCycle', delta: -1 });
    expect(s.focus).toBe('main');
    s = run(s, { type: 'back' });
    expect(s.focus).toBe('containers');
  });

  it('switches tabs per list and starts each tab at the top', () => {
    let s = run(loaded(), { type: 'scroll', delta: 5, max: 10 });
    expect(s.scroll).toBe(5);
    s = run(s, { type: 'tab', delta: 1 });
    expect(currentTab(s)).toBe('inspect');
    expect(s.scroll).toBe(0);
    s = run(s, { type: 'tab', delta: -2 });
    expect(currentTab(s)).toBe('diff');
    s = run(s, { type: 'focus', target: 'images' }, { type: 'tab', delta: 1 });
    expect(currentTab(s)).toBe('history');
    s = run(s, { type: 'focus', target: 'containers' });
    expect(currentTab(s)).toBe('diff');
    // stats shows up only with a backend that has metrics
    s = run(s, { type: 'statsAvailable', available: true }, { type: 'setTab', tab: 'logs' }, { type: 'tab', delta: 1 });
    expect(currentTab(s)).toBe('stats');
  });

  it('scroll is clamped to the content', () => {
    let s = run(loaded(), { type: 'scroll', delta: 50, max: 7 });
    expect(s.scroll).toBe(7);
    s = run(s, { type: 'scroll', to: 'top', max: 7 });
    expect(s.scroll).toBe(0);
  });

  it('logs full screen focuses the containers logs; Esc leaves it', () => {
    let s = run(loaded(), { type: 'focus', target: 'images' }, { type: 'maximize', on: true });
    expect([s.maximized, s.focus, s.subject, currentTab(s)]).toEqual([true, 'main', 'containers', 'logs']);
    s = run(s, { type: 'back' });
    expect([s.maximized, s.focus]).toEqual([false, 'containers']);
  });

  it('help toggles; menu moves around; confirm options switch', () => {
    let s = run(loaded(), { type: 'help' });
    expect(s.overlay?.kind).toBe('help');
    s = run(s, { type: 'helpScroll', delta: 3, max: 2 });
    expect(s.overlay).toEqual({ kind: 'help', scroll: 2 });
    s = run(s, { type: 'help' });
    expect(s.overlay).toBeNull();
    s = run(s, { type: 'menuOpen' }, { type: 'menuMove', delta: -1, count: 4 });
    expect(s.overlay).toEqual({ kind: 'menu', list: 'containers', index: 3 });
    s = run(s, {
      type: 'confirmOpen',
      confirm: {
        title: 't',
        body: 'b',
        command: 'container.remove',
        refs: ['x'],
        names: ['x'],
        options: [
          { name: 'force', label: 'f', value: false },
          { name: 'volumes', label: 'v', value: false },
        ],
      },
    });
    s = run(s, { type: 'confirmMove', delta: 1 }, { type: 'confirmToggle' });
    expect(s.overlay?.kind === 'confirm' && s.overlay.options.map((o) => o.value)).toEqual([false, true]);
    s = run(s, { type: 'back' });
    expect(s.overlay).toBeNull();
  });
});

describe('reducer: forms', () => {
  const form = (s: AppState) => s.overlay as FormState;
  const type = (s: AppState, text: string) =>
    [...text].reduce((x, ch) => reduce(x, { type: 'formKey', input: ch, key: {} }), s);

  it('edits the focused field, moves between fields, switches toggles', () => {
    let s = run(loaded(), { type: 'formOpen', form: openForm('commit', ['a1'], ['web']) });
    s = type(s, 'myapp:1');
    expect(form(s).values.repo).toEqual({ text: 'myapp:1', cursor: 7 });
    s = run(s, { type: 'formField', delta: -1 });
    expect(form(s).field).toBe(4);
    s = run(s, { type: 'formToggle' });
    expect(form(s).values.pause).toBe(false);
    s = run(s, { type: 'formField', delta: -1 });
    // Enter in the multi-line field makes a new line
    s = type(s, 'CMD ["sh"]');
    s = run(s, { type: 'formKey', input: '\r', key: { return: true } });
    s = type(s, 'ENV A=1');
    expect((form(s).values.changes as { text: string }).text).toBe('CMD ["sh"]\nENV A=1');
    // toggles ignore typing
    s = run(s, { type: 'formField', delta: 1 }, { type: 'formKey', input: 'x', key: {} });
    expect(form(s).values.pause).toBe(false);
  });

  it('an error naming a field moves there; typing clears it', () => {
    let s = run(
      loaded(),
      { type: 'formOpen', form: openForm('commit', ['a1'], ['web']) },
      { type: 'formField', delta: 3 },
    );
    s = run(s, { type: 'formError', message: 'repo: invalid reference format' });
    expect([form(s).field, form(s).error]).toEqual([0, 'invalid reference format']);
    s = type(s, 'a');
    expect(form(s).error).toBeNull();
    s = run(s, { type: 'formError', message: 'engine said no' });
    expect([form(s).field, form(s).error]).toEqual([0, 'engine said no']);
  });

  it('is frozen while busy, and shows progress', () => {
    let s = run(loaded(), { type: 'formOpen', form: openForm('save', ['bb:latest'], ['bb:latest']) });
    s = run(s, { type: 'formBusy', busy: { label: 'Saving', started: 0, bytes: 0, layers: 0, current: '' } });
    s = run(s, { type: 'formKey', input: 'x', key: {} }, { type: 'formProgress', progress: { bytes: 10, layers: 1 } });
    expect((form(s).values.path as { text: string }).text).toBe('./bb_latest.tar');
    expect(form(s).busy).toMatchObject({ bytes: 10, layers: 1 });
  });

  it('validates with the engine rules, naming the field', () => {
    const f = (form: ReturnType<typeof openForm>, values: Record<string, string | boolean>) => {
      for (const [k, v] of Object.entries(values))
        form.values[k] = typeof v === 'boolean' ? v : { text: v, cursor: v.length };
      return validateForm(form);
    };
    expect(f(openForm('commit', ['x']), { repo: 'Bad:Name' })).toEqual({
      field: 'repo',
      message: expect.stringMatching(/invalid reference format/),
    });
    expect(f(openForm('commit', ['x']), { repo: 'ok:1', changes: 'RUN ls' })).toEqual({
      field: 'changes',
      message: expect.stringMatching(/not a valid change command/),
    });
    expect(f(openForm('commit', ['x']), { repo: '', changes: 'CMD ["sh"]\n\nENV A=1' })).toBeNull();
    expect(f(openForm('tag', ['x']), { target: '' })).toEqual({ field: 'target', message: 'a name is needed' });
    expect(f(openForm('run', ['bb']), { name: '-x' })).toEqual({
      field: 'name',
      message: expect.stringMatching(/Invalid container name/),
    });
    expect(f(openForm('run', ['bb']), { command: 'echo "unterminated' })).toMatchObject({ field: 'command' });
    expect(f(openForm('run', ['bb']), { env: 'A' })).toMatchObject({ field: 'env' });
    expect(f(openForm('run', ['bb']), { volumes: 'data:relative' })).toMatchObject({
      field: 'volumes',
      message: expect.stringMatching(/invalid/),
    });
    expect(
      f(openForm('run', ['bb']), { name: 'web', command: 'sh -c "echo hi"', env: 'A=1', volumes: 'data:/d' }),
    ).toBeNull();
    expect(f(openForm('volume'), { name: 'no/slash' })).toMatchObject({ field: 'name' });
    expect(f(openForm('save', ['x']), { path: ' ' })).toMatchObject({ field: 'path' });
    // the run dialog's ports and network, and the network dialogs, with the engine's words
    expect(f(openForm('run', ['bb']), { ports: '8001:80\n53/xyz' })).toEqual({
      field: 'ports',
      message: 'invalid proto: xyz',
    });
    expect(f(openForm('run', ['bb']), { ports: '70000:80' })).toEqual({
      field: 'ports',
      message: 'invalid hostPort: 70000',
    });
    expect(runRequest(filled(openForm('run', ['bb']), { ports: '8001:80', network: 'front' })).req).toMatchObject({
      publish: ['8001:80'],
      network: 'front',
    });
    expect(f(openForm('network'), { name: '' })).toEqual({ field: 'name', message: 'a name is needed' });
    expect(f(openForm('network'), { name: 'n1', subnet: '10.0.0.0/33' })).toEqual({
      field: 'subnet',
      message: 'invalid CIDR address: 10.0.0.0/33',
    });
    expect(f(openForm('network'), { name: 'n1', driver: 'overlay' })).toMatchObject({ field: 'driver' });
    expect(f(openForm('network'), { name: 'n1', options: 'parent' })).toMatchObject({ field: 'options' });
    const net = filled(openForm('network'), { name: 'n1', subnet: '10.1.0.0/24', options: 'parent=eth1' });
    expect(validateForm(net)).toBeNull();
    expect(networkRequest(net)).toMatchObject({
      name: 'n1',
      driver: 'bridge',
      subnets: ['10.1.0.0/24'],
      internal: false,
      options: { parent: 'eth1' },
    });
    expect(f(openForm('connect', ['id'], ['n1']), { container: 'web', ip: '10.1.0.300' })).toMatchObject({
      field: 'ip',
    });
    expect(connectRequest(filled(openForm('connect', ['id']), { container: 'web', aliases: 'a, b' }))).toEqual({
      container: 'web',
      aliases: ['a', 'b'],
    });
    expect(f(openForm('disconnect', ['id']), { container: '' })).toMatchObject({ field: 'container' });
  });
});

function filled(form: FormState, values: Record<string, string>): FormState {
  for (const [k, v] of Object.entries(values)) form.values[k] = { text: v, cursor: v.length };
  return form;
}
