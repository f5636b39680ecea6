import { describe, expect, it } from 'vitest';
import type { ContainerSummary, LogLine } from '../../src/client/api.js';
import { containerCells, containerRows } from '../../src/tui/presenters/rows.js';
import { passwdShell } from '../../src/engine/container/shell.js';
import { fit, layoutColumns, truncate, type Column } from '../../src/tui/presenters/columns.js';
import { diffLines, historyLines } from '../../src/tui/presenters/details.js';
import { listHeights, screenLayout, tooSmall } from '../../src/tui/presenters/layout.js';
import { cleanLogText, layoutLog, LogRing } from '../../src/tui/presenters/log-buffer.js';
import { splitMatches } from '../../src/tui/panes/LogsTab.js';
import { defaultArchiveName, isGzipPath } from '../../src/tui/state/forms.js';
import { completePath, completionDir } from '../../src/tui/state/path-complete.js';
import { applyEditKey, edit } from '../../src/tui/state/text-edit.js';
import { frameDiff } from '../../src/tui/terminal/frame-writer.js';
import { splitKeys } from '../../src/tui/terminal/key-input.js';
import { progressText } from '../../src/tui/dialogs/FormDialog.js';
import { localeIsUtf8, makeTheme } from '../../src/tui/theme/theme.js';

const line = (text: string, stream: 'stdout' | 'stderr' = 'stdout'): LogLine => ({
  text,
  stream,
  time: '2024-01-01T00:00:00.000000000Z',
  timeNs: 0n,
});

describe('columns', () => {
  it('truncates by display width with an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('日本語テキスト', 5)).toBe('日本…');
    expect(fit('ab', 5, 'right')).toBe('   ab');
    expect(fit('日本', 5)).toBe('日本 ');
  });

  it('drops low-priority columns first and shares the spare width', () => {
    const cols: Column[] = [
      { key: 'a', title: 'A', min: 10, grow: 1, max: 20, priority: 10 },
      { key: 'b', title: 'B', min: 5, priority: 1 },
      { key: 'c', title: 'C', min: 5, priority: 5 },
    ];
    expect(layoutColumns(cols, 22).map((c) => [c.key, c.width])).toEqual([
      ['a', 10],
      ['b', 5],
      ['c', 5],
    ]);
    expect(layoutColumns(cols, 20).map((c) => [c.key, c.width])).toEqual([
      ['a', 14],
      ['c', 5],
    ]);
    expect(layoutColumns(cols, 40).map((c) => c.width)).toEqual([20, 5, 5]);
    expect(layoutColumns(cols, 8).map((c) => [c.key, c.width])).toEqual([['a', 8]]);
  });
});

describe('screen layout', () => {
  it('needs 80x24 and says so plainly', () => {
    expect(tooSmall(80, 24)).toBeNull();
    expect(tooSmall(79, 40)).toMatch(/79x40; berth needs at least 80x24/);
  });

  it('gives the expanded list what the others do not need', () => {
    expect(listHeights(16, { containers: 50, images: 40, volumes: 3, networks: 4 }, 'containers')).toEqual({
      containers: 10,
      images: 2,
      volumes: 2,
      networks: 2,
    });
    expect(listHeights(16, { containers: 1, images: 40, volumes: 0, networks: 3 }, 'containers')).toEqual({
      containers: 1,
      images: 12,
      volumes: 1,
      networks: 2,
    });
    const h = listHeights(32, { containers: 300, images: 200, volumes: 5, networks: 3 }, 'images');
    expect(h.containers + h.images + h.volumes + h.networks).toBe(32);
    expect(h.images).toBeGreaterThan(h.containers);
  });

  it('fills 80x24 and larger exactly', () => {
    for (const [w, r] of [
      [80, 24],
      [120, 40],
      [200, 60],
    ] as const) {
      const L = screenLayout(w, r, { containers: 300, images: 200, volumes: 4, networks: 3 }, 'containers', false);
      expect(L.height).toBe(r);
      expect(L.left + 1 + L.main).toBe(w);
      expect(L.lists.containers + L.lists.images + L.lists.volumes + L.lists.networks + 5).toBe(L.body);
    }
    expect(
      screenLayout(100, 30, { containers: 1, images: 1, volumes: 1, networks: 1 }, 'containers', true),
    ).toMatchObject({
      left: 0,
      main: 100,
    });
  });
});

describe('log buffer', () => {
  it('keeps the newest lines, numbering on', () => {
    const r = new LogRing(3);
    for (let i = 0; i < 5; i++) r.push(line(`l${i}\n`));
    expect([r.first, r.next, r.size]).toEqual([2, 5, 3]);
    expect(r.at(1)).toBeUndefined();
    expect(r.at(4)?.text).toBe('l4');
  });

  it('joins partial lines of a stream and finds matches either way', () => {
    const r = new LogRing(10);
    r.push(line('par'));
    r.push(line('tial\n'));
    r.push(line('Error one\n', 'stderr'));
    r.push(line('ok\n'));
    r.push(line('error two\n', 'stderr'));
    expect(r.size).toBe(4);
    expect(r.at(0)?.text).toBe('partial');
    expect(r.find('ERROR', 3, -1)).toBe(3);
    expect(r.find('error', 2, -1)).toBe(1);
    expect(r.find('error', 2, 1)).toBe(3);
    expect(r.find('nope', 3, -1)).toBeNull();
  });

  it('makes log text safe to draw', () => {
    expect(cleanLogText('\x1b[31mred\x1b[0m\tx\r\n')).toBe('red    x');
    expect(cleanLogText('a\x1b]0;title\x07b\x00c\n')).toBe('abc');
  });

  it('lays out the bottom of the log, wrapped, with timestamps on the first row of a line', () => {
    const r = new LogRing(10);
    for (const t of ['one\n', 'twotwotwo\n', 'three\n']) r.push(line(t));
    expect(layoutLog(r, 2, 4, 3, false).map((x) => x.text)).toEqual(['o', 'thre', 'e']);
    expect(layoutLog(r, 2, 4, 10, false).map((x) => x.text)).toEqual(['one', 'twot', 'wotw', 'o', 'thre', 'e']);
    expect(layoutLog(r, 1, 10, 2, false).map((x) => x.text)).toEqual(['one', 'twotwotwo']);
    const ts = layoutLog(r, 0, 40, 2, true);
    expect(ts[0]!.prefix).toBe('2024-01-01T00:00:00.000000000Z ');
  });

  it('splits text around search matches', () => {
    expect(splitMatches('an Error and error', 'error')).toEqual([
      { text: 'an ', hit: false },
      { text: 'Error', hit: true },
      { text: ' and ', hit: false },
      { text: 'error', hit: true },
    ]);
    expect(splitMatches('x', '')).toEqual([{ text: 'x', hit: false }]);
  });
});

describe('frame diff', () => {
  it('writes only changed lines at their rows, and clears lines that went away', () => {
    expect(frameDiff(['a', 'b'], ['a', 'b'], 80, 24)).toBe('');
    expect(frameDiff(['a', 'b'], ['a', 'c'], 80, 24)).toBe('\x1b[2;1Hc\x1b[0m\x1b[K');
    expect(frameDiff(['a', 'b', 'c'], ['a'], 80, 24)).toBe('\x1b[2;1H\x1b[0m\x1b[K\x1b[3;1H\x1b[0m\x1b[K');
    // a full-width line is not followed by erase-to-end (it would take the last cell)
    expect(frameDiff([], ['abcd'], 4, 24)).toBe('\x1b[1;1Habcd\x1b[0m');
    // never below the screen
    expect(frameDiff([], ['a', 'b', 'c'], 80, 2)).toBe('\x1b[1;1Ha\x1b[0m\x1b[K\x1b[2;1Hb\x1b[0m\x1b[K');
  });
});

describe('line editor', () => {
  const k = (e: ReturnType<typeof edit>, input: string, key = {}, multi = false) => applyEditKey(e, input, key, multi);
  it('inserts, deletes, moves', () => {
    let e = edit('');
    e = k(e, 'abc')!;
    e = k(e, '', { leftArrow: true })!;
    e = k(e, 'X')!;
    expect(e).toEqual({ text: 'abXc', cursor: 3 });
    e = k(e, '', { delete: true })!;
    expect(e).toEqual({ text: 'abc', cursor: 2 });
    e = k(e, 'a', { ctrl: true })!;
    expect(e.cursor).toBe(0);
    e = k(e, 'e', { ctrl: true })!;
    expect(e.cursor).toBe(3);
    e = k(k(e, ' two')!, 'w', { ctrl: true })!;
    expect(e.text).toBe('abc ');
    expect(k(e, 'u', { ctrl: true })).toEqual({ text: '', cursor: 0 });
  });

  it('leaves keys it does not edit with to the caller', () => {
    expect(k(edit('a'), '', { return: true })).toBeNull();
    expect(k(edit('a'), '', { tab: true })).toBeNull();
    expect(k(edit('a'), '', { upArrow: true })).toBeNull();
    expect(k(edit('a'), '', { return: true }, true)).toEqual({ text: 'a\n', cursor: 2 });
  });

  it('cleans pasted text', () => {
    expect(k(edit(''), 'a\nb\x07')!.text).toBe('a b');
    expect(k(edit(''), 'a\r\nb', {}, true)!.text).toBe('a\nb');
  });

  it('steps over surrogate pairs whole', () => {
    let e = edit('a😀');
    e = k(e, '', { leftArrow: true })!;
    expect(e.cursor).toBe(1);
    e = k(edit('a😀'), '', { backspace: true })!;
    expect(e.text).toBe('a');
  });
});

describe('path completion', () => {
  const entries = [
    { name: 'images.tar', dir: false },
    { name: 'imports', dir: true },
    { name: 'other.tar.gz', dir: false },
    { name: '.hidden', dir: false },
  ];
  it('completes one match whole and several to their common prefix', () => {
    expect(completePath('./o', entries)).toEqual({ text: './other.tar.gz', candidates: [] });
    expect(completePath('imp', entries)).toEqual({ text: 'imports/', candidates: [] });
    expect(completePath('/x/im', entries)).toEqual({ text: '/x/im', candidates: ['images.tar', 'imports/'] });
    expect(completePath('i', entries)).toEqual({ text: 'im', candidates: ['images.tar', 'imports/'] });
    expect(completePath('z', entries)).toEqual({ text: 'z', candidates: [] });
    expect(completePath('.h', entries).text).toBe('.hidden');
    expect(completePath('', entries).candidates).not.toContain('.hidden');
  });

  it('reads the directory the text points into', () => {
    expect(completionDir('abc', '/work')).toBe('/work');
    expect(completionDir('sub/abc', '/work')).toBe('/work/sub');
    expect(completionDir('sub/', '/work')).toBe('/work/sub');
    expect(completionDir('/etc/pa', '/work')).toBe('/etc');
    expect(completionDir('/x', '/work')).toBe('/');
    expect(completionDir('~/a', '/work', '/root')).toBe('/root');
  });
});

describe('details and names', () => {
  it('words diff and history as docker does', () => {
    expect(
      diffLines([
        { Kind: 0, Path: '/etc' },
        { Kind: 1, Path: '/etc/x' },
        { Kind: 2, Path: '/y' },
      ]),
    ).toEqual(['C /etc', 'A /etc/x', 'D /y']);
    const h = historyLines(
      [{ Id: '<missing>', Created: 0, CreatedBy: '/bin/sh -c  #(nop)\tCMD ["sh"]', Tags: [], Size: 0, Comment: '' }],
      new Date(0),
    );
    expect(h[0]).toMatch(/^IMAGE\s+CREATED\s+SIZE\s+COMMENT\s+CREATED BY$/);
    expect(h[1]).toMatch(/^<missing>\s+Less than a second ago\s+0B\s+\/bin\/sh -c #\(nop\) CMD \["sh"\]$/);
  });

  it('names archives after the image', () => {
    expect(defaultArchiveName(['localhost:5000/me/app:1.0'])).toBe('./app_1.0.tar');
    expect(defaultArchiveName(['bb'])).toBe('./bb_latest.tar');
    expect(defaultArchiveName(['sha256:' + 'ab'.repeat(32)])).toBe('./abababababab.tar');
    expect(defaultArchiveName(['a:1', 'b:2'])).toBe('./images.tar');
    expect(isGzipPath('x.tar.gz') && isGzipPath('x.tgz') && !isGzipPath('x.tar')).toBe(true);
  });

  it("finds the user's login shell in passwd", () => {
    const passwd =
      'root:x:0:0:root:/root:/bin/bash\n# comment\napp:x:1000:1000::/home/app:/bin/zsh\nnol:x:5:5::/:/usr/sbin/nologin\nbad:x:6:6\n';
    expect(passwdShell(passwd, '')).toBe('/bin/bash');
    expect(passwdShell(passwd, 'app')).toBe('/bin/zsh');
    expect(passwdShell(passwd, '1000:1000')).toBe('/bin/zsh');
    expect(passwdShell(passwd, 'nol')).toBe('/usr/sbin/nologin');
    expect(passwdShell(passwd, 'bad')).toBeNull();
    expect(passwdShell(passwd, 'nobody')).toBeNull();
    expect(passwdShell(null, '')).toBeNull();
  });
});

describe('progress', () => {
  it('shows bytes, total, layers and rate', () => {
    const b = { label: 'Saving', started: 0, bytes: 5_000_000, total: 10_000_000, layers: 2, current: '' };
    expect(progressText(b, 2000)).toEqual({ text: '5MB / 10MB  2 layers  2.5MB/s', fraction: 0.5 });
    expect(progressText({ ...b, total: undefined, layers: 0, bytes: 0 }, 10)).toEqual({ text: '0B', fraction: null });
  });
});

describe('theme', () => {
  it('follows the locale and NO_COLOR', () => {
    expect(localeIsUtf8({ LANG: 'en_US.UTF-8' })).toBe(true);
    expect(localeIsUtf8({ LC_ALL: 'C', LANG: 'en_US.UTF-8' })).toBe(false);
    expect(localeIsUtf8({ LC_CTYPE: 'C.utf8' })).toBe(true);
    expect(localeIsUtf8({})).toBe(false);
    const plain = makeTheme(3, false, true);
    expect(plain.colors.accent).toBeUndefined();
    expect(plain.charset).toBe('ascii');
    expect(plain.glyphs.vline).toBe('|');
    expect(makeTheme(2, true, false).colors.accent).toMatch(/^ansi256/);
    expect(makeTheme(3, true, false).colors.accent).toMatch(/^#/);
    expect(makeTheme(1, true, false).colors.accent).toBe('cyan');
    expect(makeTheme(0, true, false).colors.accent).toBeUndefined();
  });
});

describe('keys from the terminal', () => {
  it('splits a burst into keys, escape sequences whole', () => {
    expect(splitKeys('2jj')).toEqual(['2', 'j', 'j']);
    expect(splitKeys('\x1b[Ak\x1b[5~\x1bOP')).toEqual(['\x1b[A', 'k', '\x1b[5~', '\x1bOP']);
    expect(splitKeys('\x1b\x1b')).toEqual(['\x1b', '\x1b']);
    expect(splitKeys('\x1b\x1b[A')).toEqual(['\x1b\x1b[A']);
    expect(splitKeys('\x1bx😀é\r')).toEqual(['\x1bx', '😀', 'é', '\r']);
    expect(splitKeys('\x1b[1;5C')).toEqual(['\x1b[1;5C']);
    expect(splitKeys('\x1b')).toEqual(['\x1b']);
  });
});

describe('container rows', () => {
  it('show the published ports only, without the every-address prefix', () => {
    const c = {
      Id: 'a'.repeat(64),
      Names: ['/web'],
      Image: 'bb',
      State: 'running',
      Status: 'Up 2 seconds',
      Ports: [
        { PrivatePort: 8080, Type: 'tcp' },
        { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 32768, Type: 'tcp' },
        { IP: '127.0.0.1', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
      ],
    } as unknown as ContainerSummary;
    const [row] = containerRows([c], true);
    expect(containerCells(row!, new Date(), undefined).ports).toBe('127.0.0.1:5353->53/udp, 32768->80/tcp');
    expect(
      containerCells({ ...row!, c: { ...c, Ports: [{ PrivatePort: 8080, Type: 'tcp' }] } }, new Date(), undefined)
        .ports,
    ).toBe('-');
  });
});
