/**
 * The real app (`node dist/cli/main.cjs` with no command) in tmux against the
 * real engine: navigate, filter, commit a running container through the
 * dialog, tag, save and load back; exec a shell and attach, coming back to
 * an intact screen; the Stats charts moving; resize, a terminal too small, SIGTERM; and the shell's
 * screen restored on quit.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CLI, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { Tmux } from '../helpers/tmux.js';

const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V']);
    return true;
  } catch {
    return false;
  }
})();
const reason = skipReason() ?? (hasTmux ? null : 'tmux is not installed');

describeIf(reason)('the app in a terminal', () => {
  let t: TempRoot;
  let tm: Tmux | null = null;

  beforeAll(async () => {
    t = tempRoot('berth-e2e-');
    expect((await berth(t, ['load', '-i', fixture('layers.docker-save.tar')])).exitCode).toBe(0);
    const run = await berth(t, [
      'run',
      '-d',
      '--name',
      'web',
      'bb',
      'sh',
      '-c',
      'trap "exit 0" TERM; i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.5; done',
    ]);
    expect(run.exitCode).toBe(0);
  });
  afterEach(() => {
    tm?.kill();
    tm = null;
  });
  afterAll(async () => {
    await berth(t, ['rm', '-f', 'web']);
    t?.cleanup();
  });

  /** A shell in tmux in the store's directory, with the app started from it. */
  const startApp = async (columns = 120, rows = 40) => {
    tm = new Tmux(columns, rows);
    tm.start({ ...t.env, NO_COLOR: '' });
    tm.line(`cd ${t.base} && echo START-MARK && node ${CLI}; echo EXITED $?`);
    await tm.waitFor(/1 Containers .*1 running \/ 1/);
    await tm.waitFor('bb-layers:v0');
    return tm;
  };

  const images = async () => (await berth(t, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout;

  it('navigates, filters, commits a running container, tags, saves and loads back, and quits to the shell', async () => {
    const s = await startApp();
    // navigate: the images list, down one, its inspect in the main panel; typed
    // as one burst (as a slow link delivers keys), each key still counts
    s.keys('2j');
    await s.waitFor('│ bb-layers:v1 │ Inspect');
    // filter, then clear
    s.keys('/', 'v0', 'Enter');
    await s.waitFor(/4 · 1 shown/);
    s.keys('Escape');
    await s.waitFor((x) => !x.includes('1 shown'));
    // commit the running container through the dialog
    s.keys('1', 'c');
    await s.waitFor('Commit container: web');
    s.keys('e2e-commit:1', 'Down', 'e2e', 'Down', 'from the app', 'Enter');
    await s.waitFor(/committed web as e2e-commit:1/);
    expect(await images()).toContain('e2e-commit:1');
    // the new image is selected in Images: tag it
    await s.waitFor(/"e2e-commit:1"/);
    s.keys('t', 'C-u', 'e2e-tag:2', 'Enter');
    await s.waitFor(/tagged e2e-commit:1 as e2e-tag:2/);
    // save it (the default name), remove the tag, load it back with Tab completion
    s.keys('S');
    await s.waitFor('./e2e-tag_2.tar');
    s.keys('Enter');
    await s.waitFor(/saved e2e-tag:2 to .*e2e-tag_2\.tar/);
    expect(existsSync(join(t.base, 'e2e-tag_2.tar'))).toBe(true);
    s.keys('d');
    await s.waitFor('Remove images');
    s.keys('y');
    await s.waitFor(/untagged 1/);
    expect(await images()).not.toContain('e2e-tag:2');
    s.keys('L');
    await s.waitFor('Load images');
    s.keys('./e2e-t', 'Tab');
    await s.waitFor('./e2e-tag_2.tar');
    s.keys('Enter');
    await s.waitFor(/loaded e2e-tag:2/);
    expect(await images()).toContain('e2e-tag:2');
    // quit: the shell's screen is back as it was, then the exit status
    s.keys('q');
    const after = await s.waitFor('EXITED 0');
    expect(after).toContain('START-MARK');
    expect(after).toMatch(/EXITED 0\nPROMPT\$/);
    expect(after).not.toContain('1 Containers');
  });

  it('execs a shell in the container and attaches, coming back to the same screen', async () => {
    const s = await startApp();
    s.keys('2');
    const before = await s.waitFor(/REPOSITORY:TAG/);
    const leftColumn = (x: string) =>
      x
        .split('\n')
        .slice(5, 30)
        .map((l) => l.slice(0, 40));
    s.keys('1', 'E');
    await s.waitFor(/berth: \/bin\/sh in web/);
    await s.waitFor(/^\/ #/m);
    s.line('echo answer-$((6*7))');
    await s.waitFor('answer-42');
    s.line('exit');
    await s.waitFor(/\/bin\/sh in web exited with code 0/);
    s.keys('2');
    // a frame reaches the pseudo-terminal in pieces on a loaded machine: wait for the whole left column
    const same = (x: string) => JSON.stringify(leftColumn(x)) === JSON.stringify(leftColumn(before));
    const back = await s.waitFor((x) => /REPOSITORY:TAG/.test(x) && same(x)).catch(() => s.screen());
    expect(leftColumn(back)).toEqual(leftColumn(before));
    expect(back).not.toContain('answer-42');
    // attach: the container's output, Ctrl-C detaches (no tty) and leaves it running
    s.keys('1', 'a');
    await s.waitFor(/attached to web; Ctrl-C detaches/);
    await s.waitFor(/tick-\d+\n.*tick-\d+/);
    s.keys('C-c');
    await s.waitFor(/detached from web/);
    expect((await berth(t, ['inspect', '-f', '{{.State.Running}}', 'web'])).stdout.trim()).toBe('true');
    s.keys('q');
    await s.waitFor('EXITED 0');
  });

  it('shows the Stats charts of a running container, and they move as samples come', async () => {
    const s = await startApp();
    // once the shared stats stream is live the Stats tab follows Logs
    s.keys('1');
    await s.waitFor(/Logs │ Stats │ Inspect/);
    s.keys(']');
    await s.waitFor(/Block I\/O/);
    const screen = s.screen();
    for (const title of ['CPU', 'Memory', 'Network', 'PIDs']) expect(screen).toContain(title);
    // the plotted lines are braille dots (a UTF-8 terminal); the next samples change them
    const plotted = (x: string) =>
      x
        .split('\n')
        .filter((l) => /[\u2801-\u28ff]/.test(l))
        .join('\n');
    const first = plotted(await s.waitFor((x) => plotted(x) !== ''));
    await s.waitFor((x) => plotted(x) !== '' && plotted(x) !== first, 15_000);
    s.keys('q');
    await s.waitFor('EXITED 0');
  });

  it('lays out again on resize, says when the terminal is too small, and restores the terminal on SIGTERM', async () => {
    const s = await startApp(120, 40);
    const wide = s.screen().split('\n')[0]!;
    s.resize(80, 24);
    // the key hints on the second-last row, the message line under them
    const small = (await s.waitFor((x) => x.split('\n')[0] !== wide && /Stop/.test(x.split('\n')[22] ?? ''))).split(
      '\n',
    );
    expect(small[1]).toContain('1 Containers');
    expect(small.every((l) => l.length <= 80)).toBe(true);
    s.resize(60, 15);
    await s.waitFor('berth needs at least 80x24');
    s.resize(100, 30);
    await s.waitFor(/1 Containers/);
    // a dropped SSH link or a kill: the shell's screen comes back
    const pid = execFileSync('pgrep', ['-P', String(s.panePid()), '-f', 'main.cjs'], { encoding: 'utf8' }).trim();
    process.kill(Number(pid), 'SIGTERM');
    const after = await s.waitFor('EXITED 143');
    expect(after).toContain('START-MARK');
    expect(after).not.toContain('1 Containers');
  });
});
