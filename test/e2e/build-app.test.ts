/**
 * The real app (`node dist/cli/main.cjs`) building in a pseudo-terminal the
 * test holds (helpers/pty.ts): the build dialog with Tab completion, the
 * steps drawn live with a RUN's output (its escape sequences drawn as
 * nothing), Esc during the RUN leaving nothing behind, a build whose image
 * is then selected in Images; every byte the app sent while it owned the
 * screen is frame output (helpers/frames.ts): a RUN container's output never
 * reaches the terminal itself. Then a hangup in the middle of a RUN: the app
 * ends as SIGHUP ends a process (129) after cancelling the build, with
 * nothing of it left.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { CLI, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { checkFrames } from '../helpers/frames.js';
import { Pty } from '../helpers/pty.js';

const hasPython = (() => {
  try {
    execFileSync('python3', ['-c', 'import pty']);
    return true;
  } catch {
    return false;
  }
})();
const reason = skipReason() ?? (hasPython ? null : 'python3 (its pty module drives the terminal) is not installed');

describeIf(reason)('the app builds in a terminal', () => {
  let t: TempRoot;
  let pty: Pty | null = null;

  beforeAll(async () => {
    t = tempRoot('berth-e2e-build-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    const file = (rel: string, data: string) => {
      mkdirSync(join(t.base, rel, '..'), { recursive: true });
      writeFileSync(join(t.base, rel), data);
    };
    // the RUN's output carries a title change, a screen clear and a cursor move
    file(
      'webapp/Dockerfile',
      'FROM bb\nRUN printf \'step-output \\033]0;pwned\\007\\033[2J\\033[5;5H done\\n\'\nCMD ["true"]\n',
    );
    file('slow/Dockerfile', 'FROM bb\nRUN echo waiting-here && sleep 120\n');
  });
  afterEach(async () => {
    await pty?.close();
    pty = null;
  });
  afterAll(() => t?.cleanup());

  const start = async () => {
    pty = new Pty(['node', CLI], { env: t.env, cwd: t.base, cols: 120, rows: 40 });
    await pty.waitFor(/1 Containers/);
    pty.keys('2');
    await pty.waitFor('REPOSITORY:TAG');
    return pty;
  };
  /** What a build could leave: images, scratch, containers, mounts, monitors. */
  const nothingLeft = async (images: string) => {
    expect((await berth(t, ['images', '-q', '-a'])).stdout).toBe(images);
    expect(readdirSync(join(t.root, 'tmp'))).toEqual([]);
    expect(existsSync(join(t.runroot, 'c')) ? readdirSync(join(t.runroot, 'c')) : []).toEqual([]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(t.root);
    const monitors = await execa('pgrep', ['-f', `berth-monitor.*${t.root}`], { reject: false });
    expect(monitors.stdout).toBe('');
  };

  it('builds with the steps drawn live, cancels a RUN with Esc leaving nothing, and selects the built image', async () => {
    const images = (await berth(t, ['images', '-q', '-a'])).stdout;
    const s = await start();
    s.keys('b');
    await s.waitFor('Build an image');
    // the context by Tab completion ("sl" is the slow directory only)
    s.keys('C-u', 'sl', 'Tab');
    await s.waitFor(/Context\s+slow\//);
    s.keys('Down', 'Down', 'held:1', 'Enter');
    const running = await s.waitFor(/=> => # waiting-here/, 60_000);
    expect(running).toMatch(/\[\+\] Building \d+\.\d+s/);
    expect(running).toMatch(/=> \[2\/2\] RUN echo waiting-here && sleep 120\s+\d+\.\d+s/);
    s.keys('Escape');
    await s.waitFor('building slow/: cancelled; nothing was left behind', 30_000);
    await nothingLeft(images);

    // a build that completes: the RUN's output in the dialog without its escapes, the image selected
    s.keys('b', 'C-u', 'webapp', 'Down', 'Down', 'web:1', 'Enter');
    await s.waitFor(/built web:1 \([0-9a-f]{12}\)/, 60_000);
    await s.waitFor('│ web:1 │ Inspect');
    s.keys('q');
    expect((await s.exited).code).toBe(0);
    const raw = s.bytes().toString();
    expect(checkFrames(raw).strays).toEqual([]);
    // (the Dockerfile's text says "pwned" in the step's name; the sequences themselves never came)
    expect(raw).not.toContain('\x1b]0;');
    expect(raw).not.toContain('\x1b[5;5H');
    expect((await berth(t, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout).toContain('web:1');
  });

  it('a hangup in the middle of a RUN cancels the build as Esc would: 129, nothing of it left', async () => {
    const images = (await berth(t, ['images', '-q', '-a'])).stdout;
    const s = await start();
    s.keys('b', 'C-u', 'slow', 'Down', 'Down', 'hung:1', 'Enter');
    await s.waitFor(/=> => # waiting-here/, 60_000);
    const exit = await s.hangup();
    expect([exit.code ?? 128 + exit.signal!, exit.core]).toEqual([129, false]);
    await nothingLeft(images);
  });
});
