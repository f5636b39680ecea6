/** logs (json-file, options, volume, rotation) and exec variants, on real containers. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, describeIf, skipReason } from '../helpers/env.js';
import { runIn, testEngine, until, type TestEngine } from '../helpers/engine.js';

const reason = skipReason();

describeIf(reason)('logs', () => {
  let e: TestEngine;
  beforeAll(async () => {
    e = await testEngine();
  });
  afterAll(async () => e?.close());

  const logPath = async (id: string) => (await e.b.inspectContainer(id)).LogPath as string;

  it('writes docker json-file lines, stdout and stderr apart, partial lines marked', async () => {
    const r = await runIn(e.b, 'bb', ['sh', '-c', 'echo "a <b> & \\"q\\""; echo err >&2; printf tail']);
    const lines = readFileSync(await logPath(r.id), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    // order within a stream is kept; across the two pipes it is whatever the monitor read first
    const of = (stream: string) => lines.filter((l) => l.stream === stream).map((l) => l.log);
    expect(of('stdout')).toEqual(['a <b> & "q"\n', 'tail']);
    expect(of('stderr')).toEqual(['err\n']);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/);
    // Go's encoding: <, > and & escaped in the file
    expect(readFileSync(await logPath(r.id), 'utf8')).toContain('\\u003cb\\u003e \\u0026');
  });

  it('--tail, --since, --until, -t and streams through the CLI', async () => {
    const r = await runIn(e.b, 'bb', ['sh', '-c', 'for i in 1 2 3 4 5; do echo line$i; done; echo oops >&2']);
    const out = await berth(e.t, ['logs', '--tail', '2', r.id]);
    expect(out.stdout).toBe('line5\n');
    expect(out.stderr).toBe('oops\n');
    expect((await berth(e.t, ['logs', r.id])).stdout).toBe('line1\nline2\nline3\nline4\nline5\n');
    const ts = (await berth(e.t, ['logs', '-t', '--tail', '1', r.id])).stderr;
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z oops\n$/);
    expect((await berth(e.t, ['logs', '--since', '10m', r.id])).stdout).toBe('line1\nline2\nline3\nline4\nline5\n');
    expect((await berth(e.t, ['logs', '--until', '2000-01-01T00:00:00Z', r.id])).stdout).toBe('');
    expect((await berth(e.t, ['logs', '--details', '--tail', '1', r.id])).stderr).toBe(' oops\n'); // no attributes: docker's lone space
    expect((await berth(e.t, ['logs', '--since', '2100-01-01', r.id])).stdout).toBe('');
    const bad = await berth(e.t, ['logs', '--since', 'yesterday', r.id]);
    expect([bad.exitCode, bad.stderr]).toEqual([1, 'Error: failed to parse value as time or duration: "yesterday"\n']);
  });

  it('follows a running container until it stops', async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'for i in 1 2 3; do echo n$i; sleep 0.2; done'],
    });
    await e.b.startContainer(id);
    const got: string[] = [];
    for await (const l of e.b.containerLogs(id, { follow: true })) got.push(l.text);
    expect(got).toEqual(['n1\n', 'n2\n', 'n3\n']);
  });

  it('loses none of 100,000 lines printed as fast as possible', async () => {
    const r = await runIn(
      e.b,
      'bb',
      ['sh', '-c', 'i=0; while [ $i -lt 100000 ]; do echo "line $i"; i=$((i+1)); done'],
      {},
    );
    expect(r.code).toBe(0);
    const lines = readFileSync(await logPath(r.id), 'utf8')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(100000);
    expect(JSON.parse(lines[99999]!).log).toBe('line 99999\n');
    expect(r.stdout.split('\n')).toHaveLength(100001);
  }, 120_000);

  it('rotation keeps at most max-file files', async () => {
    const r = await runIn(
      e.b,
      'bb',
      ['sh', '-c', 'i=0; while [ $i -lt 3000 ]; do echo "some text for rotation $i"; i=$((i+1)); done'],
      {
        logOpts: ['max-size=10k', 'max-file=3'],
      },
    );
    const path = await logPath(r.id);
    const files = readdirSync(dirname(path)).filter((n) => n.startsWith('ctr.log'));
    expect(files.sort()).toEqual(['ctr.log', 'ctr.log.1', 'ctr.log.2']);
    for (const f of files) expect(readFileSync(`${dirname(path)}/${f}`).length).toBeLessThanOrEqual(10 * 1024);
    const got: string[] = [];
    for await (const l of e.b.containerLogs(r.id)) got.push(l.text);
    expect(got[got.length - 1]).toBe('some text for rotation 2999\n');
    // consecutive lines across the rotated files
    const nums = got.map((t) => Number(/(\d+)$/.exec(t.trim())![1]));
    nums.forEach((n, i) => i && expect(n).toBe(nums[i - 1]! + 1));
  });

  it('refuses bad log options', async () => {
    await expect(e.b.createContainer({ image: 'bb', cmd: ['true'], logOpts: ['max-file=0'] })).rejects.toThrow(
      'max-file cannot be less than 1',
    );
    await expect(e.b.createContainer({ image: 'bb', cmd: ['true'], logOpts: ['nope=1'] })).rejects.toThrow(
      /unknown log opt 'nope'/,
    );
    await expect(e.b.createContainer({ image: 'bb', cmd: ['true'], logOpts: ['compress=true'] })).rejects.toThrow(
      "log opt 'compress' is not supported by berth's json-file log driver (it takes max-size and max-file)",
    );
  });
});

describeIf(reason)('exec', () => {
  let e: TestEngine;
  let id: string;
  beforeAll(async () => {
    e = await testEngine();
    ({ id } = await e.b.createContainer({
      image: 'bb-layers:v1',
      cmd: ['sleep', '1000'],
      env: ['BASE=1'],
      name: 'ex',
    }));
    await e.b.startContainer(id);
  });
  afterAll(async () => e?.close());

  it('runs in the container with its env and workdir, returns the exit code', async () => {
    const r = await berth(e.t, [
      'exec',
      'ex',
      'sh',
      '-c',
      'echo $BASE $FOO; pwd; cat /proc/1/cmdline | tr "\\0" " "; exit 4',
    ]);
    expect([r.exitCode, r.stdout]).toEqual([4, '1 bar\n/data\nsleep 1000 ']);
  });

  it('-e, -w, -u', async () => {
    const r = await berth(e.t, [
      'exec',
      '-e',
      'X=y',
      '-w',
      '/tmp',
      '-u',
      '1000:1000',
      'ex',
      'sh',
      '-c',
      'echo $X; pwd; id -u; id -g',
    ]);
    expect(r.stdout).toBe('y\n/tmp\n1000\n1000\n');
    const named = await berth(e.t, ['exec', '-u', 'root', 'ex', 'id', '-u']);
    expect(named.stdout).toBe('0\n');
    const bad = await berth(e.t, ['exec', '-u', 'nobody-here', 'ex', 'true']);
    expect(bad.stderr).toBe('Error: unable to find user nobody-here: no matching entries in passwd file\n');
  });

  it('-i passes stdin; -d runs in the background', async () => {
    const r = await berth(e.t, ['exec', '-i', 'ex', 'sh', '-c', 'cat > /tmp/in.txt; wc -l < /tmp/in.txt'], {
      input: 'a\nb\nc\n',
    });
    expect(r.stdout.trim()).toBe('3');
    const d = await berth(e.t, ['exec', '-d', 'ex', 'sh', '-c', 'sleep 0.2; echo done > /tmp/bg.txt']);
    expect([d.exitCode, d.stdout]).toEqual([0, '']);
    await until(async () => (await berth(e.t, ['exec', 'ex', 'cat', '/tmp/bg.txt'])).stdout === 'done\n');
  });

  it('-t gives a terminal', async () => {
    const { execa } = await import('execa');
    const { CLI } = await import('../helpers/env.js');
    const r = await execa(
      'script',
      ['-qec', `stty rows 33 cols 101; node ${CLI} exec -it ex sh -c 'tty; stty size'`, '/dev/null'],
      {
        env: { ...process.env, ...e.t.env },
        reject: false,
      },
    );
    expect(r.stdout.replace(/\r/g, '')).toMatch(/\/dev\/pts\/\d+\n33 101/);
  });

  it('missing programs give 127, and a stopped container is refused', async () => {
    const r = await berth(e.t, ['exec', 'ex', 'nosuch']);
    expect([r.exitCode, r.stderr]).toEqual([127, 'exec: "nosuch": executable file not found in $PATH\n']);
    const { id: stopped } = await e.b.createContainer({ image: 'bb', cmd: ['true'] });
    const s = await berth(e.t, ['exec', stopped, 'true']);
    expect([s.exitCode, s.stderr]).toEqual([1, `Error: Container ${stopped} is not running\n`]);
  });
});
