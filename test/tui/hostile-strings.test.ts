/**
 * Strings an image or a container chose (history, comments, labels, author,
 * commands, file names) reach the screen without their escape sequences: an
 * image cannot retitle, clear or reprogram the user's terminal through the
 * app. The frames may hold the renderer's own colour codes, nothing else.
 */
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { imageArchive, tarBuffer } from '../helpers/archives.js';
import { testEngine, until, type TestEngine } from '../helpers/engine.js';
import { describeIf, skipReason } from '../helpers/env.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/tui.js';

const reason = skipReason();

// OSC title, clear screen, leave the alternate screen, a C1 CSI, a bell, a DCS, a lone ESC and a carriage return
const EVIL = '\x1b]0;pwned\x07\x1b[2J\x1b[?1049l\u009b31m\x07\x1bP+q544e\x1b\\\x1b\r';

/** What is left of a frame after the renderer's own SGR colour codes. */
const controlsIn = (frame: string) =>
  frame.replace(/\x1b\[[0-9;]*m/g, '').match(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g) ?? [];

describeIf(reason)('escape sequences an image carries never reach the terminal', () => {
  let e: TestEngine;
  let app: AppHarness | null = null;
  beforeAll(async () => {
    e = await testEngine();
    const layer = await tarBuffer([{ h: { name: 'hello.txt', type: 'file', mode: 0o644 }, data: 'hi\n' }]);
    const archive = await imageArchive([layer], {
      tag: 'evil/strings:1',
      config: {
        author: `mallory${EVIL}`,
        comment: `image comment${EVIL}`,
        config: { Cmd: [`sh${EVIL}`], Labels: { [`label${EVIL}`]: `value${EVIL}` } },
        history: [
          { created: '2026-01-01T00:00:00Z', created_by: `STEPMARK ${EVIL} done`, comment: `HISTCOMMENT${EVIL}` },
        ],
      },
    });
    await e.b.loadImages(Readable.from([archive]));
    // a container whose file names and command carry them too
    const { id } = await e.b.createContainer({
      image: 'bb',
      name: 'namer',
      cmd: ['sh', '-c', `touch "/tmp/FILEMARK$(printf '\\033]0;x\\007\\033[2J')"; sleep 1000; : "${EVIL}"`],
    });
    await e.b.startContainer(id);
    await until(async () => (await e.b.containerChanges(id)).some((c) => c.Path.includes('FILEMARK')));
  });
  afterEach(() => {
    app?.close();
    app = null;
  });
  afterAll(async () => {
    await e?.close();
  });

  it("an image's history, comment, labels and author", async () => {
    const a = (app = await renderApp(e.b, { columns: 220 }));
    await a.waitFor('evil/strings:1');
    await a.press('2', '/');
    await a.type('evil');
    await a.press(KEYS.enter);
    await a.waitFor(' 1 shown');
    // Inspect: the labels, author and command are there, as text
    await a.waitFor(/mallory/);
    expect(controlsIn(a.frame())).toEqual([]);
    // History: CREATED BY and COMMENT
    await a.press(']');
    await a.waitFor(/STEPMARK/);
    expect(a.frame()).toMatch(/HISTCOMMENT/);
    expect(controlsIn(a.frame())).toEqual([]);
  });

  it("a container's command and the names of the files it made", async () => {
    const a = (app = await renderApp(e.b, { columns: 220 }));
    await a.waitFor('namer'); // the only container: the selection
    await a.press('1');
    // Logs, Stats, then Inspect (its command), Top (the process's arguments), Diff (the file name)
    await a.waitFor(/Logs │ Stats │ Inspect/);
    await a.press(']');
    await a.waitFor(/Block I\/O/);
    await a.press(']');
    await a.waitFor(/"Path": "sh"/);
    expect(controlsIn(a.frame())).toEqual([]);
    await a.press(']');
    await a.waitFor(/PPID[\s\S]*sh -c touch/);
    expect(controlsIn(a.frame())).toEqual([]);
    await a.press(']');
    await a.waitFor(/FILEMARK/);
    expect(controlsIn(a.frame())).toEqual([]);
  });
});
