import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BINDINGS } from '../../src/tui/keymap/bindings.js';
import {
  ConfigError,
  DEFAULT_SETTINGS,
  configPath,
  loadSettings,
  mergeSettings,
  validateShape,
} from '../../src/tui/keymap/config.js';
import { Keymap, displayKey, isValidKeyName, keyName } from '../../src/tui/keymap/keys.js';

describe('keyName', () => {
  it('names what Ink reports', () => {
    expect(keyName('j', {})).toBe('j');
    expect(keyName('G', { shift: true })).toBe('G');
    expect(keyName('', { upArrow: true })).toBe('up');
    expect(keyName('', { pageDown: true })).toBe('pagedown');
    expect(keyName('', { return: true })).toBe('enter');
    expect(keyName('', { escape: true, meta: true })).toBe('escape');
    expect(keyName('', { tab: true })).toBe('tab');
    expect(keyName('', { tab: true, shift: true })).toBe('shift-tab');
    expect(keyName('c', { ctrl: true })).toBe('ctrl-c');
    expect(keyName(' ', {})).toBe('space');
    // Backspace sends DEL, which Ink calls delete
    expect(keyName('', { delete: true })).toBe('backspace');
    // a paste is not one key
    expect(keyName('hello', {})).toBeNull();
  });

  it('shows keys the way the help writes them', () => {
    expect(displayKey('up')).toBe('↑');
    expect(displayKey('up', false)).toBe('Up');
    expect(displayKey('ctrl-c')).toBe('Ctrl-C');
    expect(displayKey('shift-tab')).toBe('Shift-Tab');
    expect(displayKey('S')).toBe('S');
  });

  it('knows which key names are valid', () => {
    for (const b of DEFAULT_BINDINGS) for (const k of b.keys) expect(isValidKeyName(k), k).toBe(true);
    expect(isValidKeyName('ctrl-1')).toBe(false);
    expect(isValidKeyName('hyper-x')).toBe(false);
    expect(isValidKeyName(' ')).toBe(false);
  });
});

describe('Keymap', () => {
  const km = new Keymap();
  it('resolves in the most specific scope first', () => {
    expect(km.resolve('G', ['logs', 'main', 'global'])?.id).toBe('logs.end');
    expect(km.resolve('G', ['main', 'global'])?.id).toBe('main.bottom');
    expect(km.resolve('G', ['containers', 'list', 'global'])?.id).toBe('list.last');
    expect(km.resolve('S', ['containers', 'list', 'global'])?.id).toBe('container.start');
    expect(km.resolve('S', ['images', 'list', 'global'])?.id).toBe('image.save');
    expect(km.resolve('t', ['logs', 'main', 'global'])?.id).toBe('logs.timestamps');
    expect(km.resolve('t', ['images', 'list', 'global'])?.id).toBe('image.tag');
    expect(km.resolve('escape', ['containers', 'list', 'global'])?.id).toBe('list.clearFilter');
    expect(km.resolve('x', ['containers', 'list', 'global'])).toBeNull();
  });

  it('lets ctrl-c quit from every scope, dialogs included', () => {
    expect(km.resolve('ctrl-c', ['dialog'])?.id).toBe('app.interrupt');
    expect(km.resolve('ctrl-c', ['input'])?.id).toBe('app.interrupt');
    expect(km.resolve('q', ['dialog'])).toBeNull();
  });

  it('lists the actions of a pane for the Enter menu', () => {
    expect(km.actions('volumes').map((b) => b.id)).toEqual(['volume.create', 'volume.remove', 'volume.prune']);
    expect(km.actions('containers').map((b) => b.keys[0])).toEqual([
      's',
      'S',
      'r',
      'p',
      'K',
      'd',
      'E',
      'a',
      'c',
      'e',
      'm',
    ]);
  });

  it('has one command per key in each scope, and the keys the issue asks for', () => {
    const seen = new Set<string>();
    for (const b of DEFAULT_BINDINGS) {
      for (const k of b.keys) {
        const slot = `${b.scope}:${k}`;
        expect(seen.has(slot), slot).toBe(false);
        seen.add(slot);
      }
    }
    const keys = (id: string) => km.keys(id);
    expect(keys('app.quit')).toEqual(['q']);
    expect(keys('list.filter')).toEqual(['/']);
    expect(keys('container.exec')).toEqual(['E']);
    expect(keys('container.toggleAll')).toEqual(['A']);
    expect(keys('image.mark')).toEqual(['space']);
    expect(keys('logs.follow')).toEqual(['f']);
  });
});

describe('settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  it('finds the file under XDG_CONFIG_HOME or ~/.config', () => {
    expect(configPath({ XDG_CONFIG_HOME: '/x' })).toBe('/x/berth/config.json');
    expect(configPath({})).toMatch(/\/\.config\/berth\/config\.json$/);
  });

  it('uses the defaults without a file', async () => {
    expect(await loadSettings(join(dir, 'none.json'))).toBe(DEFAULT_SETTINGS);
  });

  it('merges overrides over the defaults, deeply', async () => {
    const s = await loadSettings(
      file(
        'ok.json',
        JSON.stringify({ keys: { 'container.stop': 'x', 'list.down': ['j', 'down', 'ctrl-n'] }, logs: { tail: 50 } }),
      ),
    );
    const km = new Keymap(s.bindings);
    expect(km.resolve('x', ['containers'])?.id).toBe('container.stop');
    expect(km.resolve('s', ['containers'])).toBeNull();
    expect(km.resolve('ctrl-n', ['list'])?.id).toBe('list.down');
    expect(s.logs).toEqual({ bufferLines: 5000, tail: 50, timestamps: false });
    expect(s.stats.windowSeconds).toBe(60);
    // the defaults were not touched
    expect(new Keymap(DEFAULT_SETTINGS.bindings).resolve('s', ['containers'])?.id).toBe('container.stop');
  });

  it('refuses a bad file with one line naming the file and the setting', async () => {
    const cases: [string, RegExp][] = [
      ['{', /bad\.json: not valid JSON/],
      [
        JSON.stringify({ keys: { 'container.stp': 'x' } }),
        /bad\.json: keys\.container\.stp: no such command \(did you mean container\.stop\?\)/,
      ],
      [JSON.stringify({ keys: { 'container.stop': 'hyper-x' } }), /keys\.container\.stop: "hyper-x" is not a key name/],
      [
        JSON.stringify({ keys: { 'container.stop': 'S' } }),
        /keys: "S" is bound to both container\.stop and container\.start \(Containers\)/,
      ],
      [JSON.stringify({ logs: { bufferLines: 5 } }), /bad\.json: logs\.bufferLines: /],
      [JSON.stringify({ colour: true }), /bad\.json: top level: /],
      [JSON.stringify({ stats: { windowSeconds: 'a' } }), /stats\.windowSeconds/],
    ];
    for (const [text, want] of cases) {
      const p = file('bad.json', text);
      const err = await loadSettings(p).catch((e: unknown) => e);
      expect(err, text).toBeInstanceOf(ConfigError);
      expect((err as Error).message, text).toMatch(want);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('validates the shape before merging', async () => {
    await expect(validateShape({ keys: { a: [] } }, 'f')).rejects.toThrow(/f: keys\.a/);
    expect(() => mergeSettings({ keys: { 'app.quit': ['q', 'q'] } }, 'f')).not.toThrow();
  });
});
