/** `berth stats` through the real CLI: docker's table, JSON, errors, and the live redraw in a pipe and on a terminal. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, berth, describeIf, itIf, skipReason } from '../helpers/env.js';
import { testEngine, until, type TestEngine } from '../helpers/engine.js';
import { sampleWhere, startDetached } from '../helpers/stats.js';

const reason = skipReason();
const HEADER = ['CONTAINER ID', 'NAME', 'CPU %', 'MEM USAGE / LIMIT', 'MEM %', 'NET I/O', 'BLOCK I/O', 'PIDS'];
const cells = (line: string) => line.split(/ {2,}/);
const NET_IO = /^\d+(\.\d+)?(B|kB) \/ \d+(\.\d+)?(B|kB)$/;
const ZEROS = ['0.00%', '0B / 0B', '0.00%', '0B / 0B', '0B / 0B', '0'];

/** The CLI running in the background, its output kept as it comes. */
function live(env: Record<string, string>, cmd: string, args: string[]) {
  const child = spawn(cmd, args, { env: { ...process.env, ...env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | string>((r) => child.on('exit', (code, sig) => r(code ?? String(sig))));
  return {
    child,
    exited,
    get out() {
      return out;
    },
    get err() {
      return err;
    },
    /** Whole frames as docker writes them: cursor home, the table, erase below. */
    frames: () => out.split('\x1b[H').filter((f) => f.endsWith('\x1b[J')),
  };
}

describeIf(reason)('berth stats', () => {
  let e: TestEngine;
  let lim: string;
  let plain: string;
  let off: string;
  beforeAll(async () => {
    e = await testEngine();
    lim = (await startDetached(e.b, ['sleep', '1000'], { name: 'lim', memory: '64m' })).id;
    plain = (await startDetached(e.b, ['sh', '-c', 'sleep 1000 & sleep 1000 & wait'], { name: 'plain' })).id;
    off = (await e.b.createContainer({ image: 'bb', cmd: ['true'], name: 'off' })).id;
    await sampleWhere(e.b, plain, (s) => s.pids === 3); // its shell has forked both
  });
  afterAll(async () => e?.close());

  it("--no-stream: docker's table of the running containers, newest first, after two readings", async () => {
    const r = await berth(e.t, ['stats', '--no-stream']);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    const [head, ...rows] = r.stdout.trimEnd().split('\n');
    expect(cells(head!)).toEqual(HEADER);
    expect(rows.map((l) => cells(l).slice(0, 2))).toEqual([
      [plain.slice(0, 12), 'plain'],
      [lim.slice(0, 12), 'lim'],
    ]);
    const [, , cpu, mem, memPerc, net, blk, pids] = cells(rows[1]!);
    expect(cpu).toMatch(/^\d+\.\d\d%$/);
    expect(mem).toMatch(/^\d+(\.\d+)?(B|KiB|MiB) \/ 64MiB$/);
    expect(memPerc).toMatch(/^\d+\.\d\d%$/);
    // on the default bridge a container may receive a neighbour's broadcast (ARP) before any traffic of its own
    expect(net).toMatch(NET_IO);
    expect(blk).toMatch(/^\d+(\.\d+)?(B|kB|MB) \/ \d+(\.\d+)?(B|kB|MB)$/);
    expect(pids).toBe('1');
    expect(cells(rows[0]!)[7]).toBe('3');
  });

  it('-a adds the containers that are not running, with zeros', async () => {
    const r = await berth(e.t, ['stats', '-a', '--no-stream']);
    const rows = r.stdout.trimEnd().split('\n').slice(1).map(cells);
    expect(rows.map((c) => c[1])).toEqual(['off', 'plain', 'lim']);
    expect(rows[0]!.slice(2)).toEqual(ZEROS);
  });

  it('named containers, --format json and templates, --no-trunc', async () => {
    const r = await berth(e.t, ['stats', '--no-stream', '--format', 'json', 'lim', off.slice(0, 10)]);
    const [a, b] = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(Object.keys(a)).toEqual([
      'BlockIO',
      'CPUPerc',
      'Container',
      'ID',
      'MemPerc',
      'MemUsage',
      'Name',
      'NetIO',
      'PIDs',
    ]);
    expect(a).toMatchObject({ Container: 'lim', ID: lim.slice(0, 12), Name: 'lim', PIDs: '1' });
    expect(a.NetIO).toMatch(NET_IO);
    expect(a.MemUsage).toMatch(/ \/ 64MiB$/);
    expect(b).toEqual({
      BlockIO: '0B / 0B',
      CPUPerc: '0.00%',
      Container: off.slice(0, 10),
      ID: off.slice(0, 12),
      MemPerc: '0.00%',
      MemUsage: '0B / 0B',
      Name: 'off',
      NetIO: '0B / 0B',
      PIDs: '0',
    });
    const t = await berth(e.t, [
      'stats',
      '--no-stream',
      '--no-trunc',
      '--format',
      '{{.ID}} {{.Name}} {{.PIDs}}',
      'plain',
    ]);
    expect(t.stdout).toBe(`${plain} plain 3\n`);
    const tab = await berth(e.t, ['stats', '--no-stream', '--format', 'table {{.Container}}\t{{.MemUsage}}', 'lim']);
    expect(cells(tab.stdout.split('\n')[0]!)).toEqual(['CONTAINER', 'MEM USAGE / LIMIT']);
  });

  it("a container that does not exist: docker's error, exit 1, nothing printed", async () => {
    const r = await berth(e.t, ['stats', '--no-stream', 'nosuch', 'lim', 'nosuch2']);
    expect(r).toEqual({
      exitCode: 1,
      stdout: '',
      stderr: 'Error: No such container: nosuch\nError: No such container: nosuch2\n',
    });
    const bad = await berth(e.t, ['stats', '--bogus']);
    expect(bad.exitCode).toBe(125);
  });

  it('streaming into a pipe: a frame per second; containers that start and stop appear and go; Ctrl-C exits 130', async () => {
    const p = live(e.t.env, 'node', [CLI, 'stats', '--format', 'table {{.Name}}\t{{.PIDs}}']);
    const last = () => p.frames().at(-1) ?? '';
    await until(() => p.frames().length >= 2, 30_000);
    expect(last()).toMatch(/^NAME\s+PIDS\x1b\[K\nplain\s+3\x1b\[K\nlim\s+1\x1b\[K\n\x1b\[K\n\x1b\[J$/);
    const late = await startDetached(e.b, ['sleep', '1000'], { name: 'late' });
    await until(() => /\nlate\s+1\x1b\[K/.test(last()), 30_000);
    expect(
      last()
        .split('\n')
        .map((l) => l.split(/\s/)[0]),
    ).toEqual(['NAME', 'plain', 'lim', 'late', '\x1b[K', '\x1b[J']);
    await e.b.stopContainer(late.id, 0);
    await until(() => !last().includes('late'), 30_000);
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(130);
    expect(p.out).not.toContain('\x1b[?25'); // not a terminal: the cursor is left alone
    expect(p.err).toBe('');
  });

  it('a named container that stops shows zeros, and its numbers again when it is started again', async () => {
    const c = await startDetached(e.b, ['sleep', '1000'], { name: 'again' });
    const p = live(e.t.env, 'node', [CLI, 'stats', '--format', '{{.Name}} {{.PIDs}} {{.MemUsage}}', 'again']);
    const last = () => p.frames().at(-1) ?? '';
    await until(() => /^again 1 [\d.]+\w+ \/ /.test(last()), 30_000);
    await e.b.stopContainer(c.id, 0);
    await until(() => last().startsWith('again 0 0B / 0B'), 30_000);
    await e.b.startContainer(c.id);
    await until(() => /^again 1 [\d.]+\w+ \/ /.test(last()), 30_000);
    p.child.kill('SIGINT');
    expect(await p.exited).toBe(130);
  });

  itIf(existsSync('/usr/bin/script') ? null : 'needs /usr/bin/script')(
    'on a terminal the cursor is hidden while it redraws and shown again after Ctrl-C',
    async () => {
      const p = live(e.t.env, 'script', ['-qfec', `node ${CLI} stats lim`, '/dev/null']);
      await until(() => p.frames().length >= 1, 30_000);
      p.child.stdin.write('\x03'); // Ctrl-C typed on the terminal
      expect(await p.exited).toBe(130);
      expect(p.out.indexOf('\x1b[?25l')).toBeLessThan(p.out.indexOf('\x1b[H'));
      expect(p.out.trimEnd().endsWith('\x1b[?25h')).toBe(true);
    },
  );
});
