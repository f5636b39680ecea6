/** -it, attach, start -ai and exec -it through a real terminal (tmux): shells, resize, detach keys. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, berth, describeIf, skipReason } from '../helpers/env.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { Terminal } from '../helpers/terminal.js';
import { startApiService } from '../helpers/api-service.js';

let tmuxMissing: string | null = null;
try {
  execFileSync('tmux', ['-V']);
} catch {
  tmuxMissing = 'tmux is not installed';
}
const reason = skipReason() ?? tmuxMissing;

describeIf(reason)('berth in a terminal', () => {
  let e: TestEngine;
  const terms: Terminal[] = [];
  const open = async (args: string[], after = '') => {
    // after the CLI: what the shell that ran it sees of the terminal settings
    const cmd = `node ${CLI} ${args.map((a) => `'${a}'`).join(' ')}; rc=$?; ${after} exit $rc`;
    const t = await Terminal.start(['sh', '-c', cmd], { env: e.t.env, cols: 80, rows: 24 });
    terms.push(t);
    return t;
  };
  const state = async (name: string) => (await berth(e.t, ['inspect', '-f', '{{.State.Status}}', name])).stdout.trim();
  beforeAll(async () => {
    e = await testEngine();
  });
  afterAll(async () => {
    for (const t of terms) await t.close();
    await e?.close();
  });

  it('run -it: an interactive shell that follows resizes, gives back the exit code and restores the terminal', async () => {
    const t = await open(['run', '-it', '--rm', 'bb', 'sh'], 'stty -a | grep -o "[-]*icanon" | sed "s/^/tty:/";');
    await t.waitFor(/^\/ #\s*$/m);
    await t.type('stty size; tty; echo $TERM');
    await t.waitFor(/^24 80\n\/dev\/pts\/0\nxterm$/m);
    await t.resize(120, 40);
    await t.type('stty size');
    await t.waitFor(/^40 120$/m);
    await t.type('exit 5');
    expect(await t.exitCode()).toBe(5);
    expect(await t.screen()).toMatch(/^tty:icanon$/m); // raw mode was undone
  });

  it('attach: ctrl-p ctrl-q detaches ("read escape sequence", exit 1) and leaves the container running', async () => {
    expect((await berth(e.t, ['run', '-dit', '--name', 'att', 'bb', 'sh'])).exitCode).toBe(0);
    const t = await open(['attach', 'att']);
    await t.type('echo attached-$((6*7))');
    await t.waitFor(/^attached-42$/m);
    await t.keys('C-p', 'C-q');
    expect(await t.exitCode()).toBe(1);
    expect(await t.screen()).toMatch(/read escape sequence/);
    expect(await state('att')).toBe('running');
    // a second attach still works, and exit ends the container
    const t2 = await open(['attach', 'att']);
    await t2.type('exit 3');
    expect(await t2.exitCode()).toBe(3);
    expect(await state('att')).toBe('exited');
  });

  it('run -it detaches with the keys too (exit 0), and --detach-keys changes them', async () => {
    const t = await open(['run', '-it', '--name', 'det1', 'bb', 'sh']);
    await t.waitFor(/^\/ #\s*$/m);
    await t.keys('C-p', 'C-q');
    expect(await t.exitCode()).toBe(0);
    expect(await state('det1')).toBe('running');
    const t2 = await open(['attach', '--detach-keys', 'ctrl-x', 'det1']);
    await t2.type('echo still-here');
    await t2.waitFor(/^still-here$/m);
    await t2.keys('C-p', 'C-q'); // not the keys any more: passed to the shell
    await t2.keys('C-x');
    expect(await t2.exitCode()).toBe(1);
    expect(await state('det1')).toBe('running');
    await berth(e.t, ['rm', '-f', 'det1']);
  });

  it('run -it and exec -it set the size before the command starts (a command that asks at once finds it)', async () => {
    // before the fix, run -it always answered "stty: standard input" (no size) and exec -it did
    // about four times in ten: the size came after the command had started
    // ... and through an engine's API (here berth's own service), the size goes in the create request
    expect((await berth(e.t, ['run', '-d', '--name', 'asks', 'bb', 'sleep', '600'])).exitCode).toBe(0);
    const svc = await startApiService(e.t, { sock: join(e.t.base, 'api.sock') });
    try {
      const each = (args: string) => `node ${CLI} ${args} 2>&1`;
      const cmd = [
        each('run -it --rm bb busybox stty size'),
        ...Array.from({ length: 6 }, () => each('exec -it asks busybox stty size')),
        each(`-H ${svc.host} run -it --rm bb busybox stty size`),
        'echo done',
      ].join('; ');
      const t = await Terminal.start(['sh', '-c', `${cmd}; sleep 30`], { env: e.t.env, cols: 101, rows: 33 });
      terms.push(t);
      await t.waitFor(/^done$/m, 60_000);
      const answers = (await t.screen()).split('\n').filter((l) => /\S/.test(l) && l.trim() !== 'done');
      expect(answers.map((l) => l.trim())).toEqual(Array.from({ length: 8 }, () => '33 101'));
    } finally {
      await svc.stop();
    }
  });

  it('start -ai and exec -it get the terminal with its size', async () => {
    expect((await berth(e.t, ['create', '-it', '--name', 'sai', 'bb', 'sh'])).exitCode).toBe(0);
    const t = await open(['start', '-ai', 'sai']);
    await t.waitFor(/^\/ #\s*$/m);
    await t.type('stty size');
    await t.waitFor(/^24 80$/m);
    const x = await open(['exec', '-it', 'sai', 'sh']);
    await x.waitFor(/^\/ #\s*$/m);
    await x.resize(100, 30);
    await x.type('stty size; echo $$');
    await x.waitFor(/^30 100\n\d+$/m);
    await x.type('exit 4');
    expect(await x.exitCode()).toBe(4);
    await t.type('exit');
    expect(await t.exitCode()).toBe(0);
  });
});
