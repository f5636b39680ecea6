/**
 * The remote-backend suite every engine behind -H must pass (the peer
 * dockerd, berth's own service): berth's commands with -H give docker's
 * output shapes (the same table headers as with the embedded engine, the
 * same rows, logs and inspect as the docker CLI gives for that host), exec
 * carries stdin, output and the exit code over a hijacked connection,
 * commit, save and load go over the link, cp goes both ways through the
 * archive endpoints, and a link dropped mid-follow or
 * mid-save ends the command with one line.
 */
import { execa, type ResultPromise } from 'execa';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, describeIf, fixture, tempRoot, type RunResult, type TempRoot } from '../helpers/env.js';
import { until } from '../helpers/engine.js';
import { unixProxy, type UnixProxy } from '../helpers/unix-proxy.js';

export interface RemoteTarget {
  /** Bring the engine up; its unix:// URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
}

const tag = `i18r${process.pid}`;
const none = { env: {} };

export function remoteBackendSuite(target: RemoteTarget): void {
  let url = '';
  const host = () => url;
  /** The docker CLI against the same engine: what berth's output is held to. */
  const peerDocker = async (args: string[]): Promise<RunResult> => {
    const r = await execa(process.env.PEER_DOCKER ?? 'docker', ['-H', url, ...args], { reject: false });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  const remote = (args: string[], o: Parameters<typeof berth>[2] = {}) => berth(none, ['-H', host(), ...args], o);
  let local: TempRoot;
  const name = `${tag}-c`;
  let id = '';

  beforeAll(async () => {
    url = await target.start();
    local = tempRoot('berth-remote-');
    expect((await peerDocker(['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    await peerDocker(['rm', '-f', name]);
    const r = await peerDocker([
      'run',
      '-d',
      '--name',
      name,
      'bb:latest',
      'sh',
      '-c',
      'echo out one; echo err one >&2; echo out two; while true; do sleep 1; done',
    ]);
    expect(r.exitCode).toBe(0);
    id = r.stdout.trim();
    await until(async () => (await peerDocker(['logs', name])).stdout.includes('out two'));
  }, 60_000);
  afterAll(async () => {
    await peerDocker(['rm', '-f', name]);
    await peerDocker(['rmi', '-f', `${tag}:c1`, `${tag}:saved`]);
    local?.cleanup();
    await target.stop();
  });

  it('ps and images: the embedded engine’s headers, docker’s rows', async () => {
    const ps = await remote(['ps', '-a', '--no-trunc']);
    expect(ps.exitCode).toBe(0);
    const words = (table: string) => table.split('\n')[0]!.split(/\s{2,}/);
    expect(words(ps.stdout)).toEqual(words((await berth(local, ['ps', '-a'])).stdout));
    const row = ps.stdout.split('\n').find((l) => l.startsWith(id))!;
    expect(row).toMatch(/bb:latest\s+"sh -c 'echo out one;.*Up .*\s+\S+-c$/);
    // this suite's containers only: other suites use the peer at the same time
    const fmt = ['ps', '-a', '--filter', `name=${tag}`, '--format', '{{.ID}} {{.Names}} {{.Image}} {{.State}}'];
    const theirs = (await peerDocker(fmt)).stdout.trim().split('\n').sort();
    expect((await remote(fmt)).stdout.trim().split('\n').sort()).toEqual(theirs);

    const images = await remote(['images']);
    expect(words(images.stdout)).toEqual(words((await berth(local, ['images'])).stdout));
    const f = ['images', '--filter', 'reference=bb', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'];
    expect((await remote(f)).stdout.trim().split('\n').sort()).toEqual(
      (await peerDocker(f)).stdout.trim().split('\n').sort(),
    );
  });

  it('logs (demuxed, with timestamps and --tail) and inspect as docker gives them', async () => {
    for (const args of [
      ['logs', name],
      ['logs', '-t', name],
      ['logs', '--tail', '1', name],
    ]) {
      const mine = await remote(args);
      const theirs = await peerDocker(args);
      expect(mine.exitCode).toBe(0);
      // (the docker CLI's output comes without its last newline: execa strips it)
      expect(mine.stdout).toBe(theirs.stdout ? theirs.stdout + '\n' : '');
      expect(mine.stderr).toBe(theirs.stderr ? theirs.stderr + '\n' : '');
    }
    const inspect = JSON.parse((await remote(['inspect', name])).stdout) as {
      Id: string;
      State: { Running: boolean };
    }[];
    expect(inspect[0]!.Id).toBe(id);
    expect(inspect[0]!.State.Running).toBe(true);
    expect((await remote(['inspect', '-f', '{{.Config.Image}}', name])).stdout).toBe('bb:latest\n');
    const missing = await remote(['inspect', `${tag}-nothing`]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exec over a hijacked connection: stdin, stdout, stderr apart, the exit code', async () => {
    const r = await remote(['exec', '-i', name, 'sh', '-c', 'cat; echo to-err >&2; exit 7'], { input: 'piped in\n' });
    expect(r.stdout).toBe('piped in\n');
    expect(r.stderr).toBe('to-err\n');
    expect(r.exitCode).toBe(7);
    const stopped = await remote(['exec', `${tag}-nothing`, 'true']);
    expect(stopped.exitCode).not.toBe(0);
    expect(stopped.stderr).toMatch(/No such container/);
  });

  it('top, stats and events', async () => {
    const top = await remote(['top', name]);
    expect(top.stdout.split('\n')[0]).toMatch(/^UID\s+PID\s+PPID/);
    const stats = await remote(['stats', '--no-stream', name]);
    expect(stats.exitCode).toBe(0);
    expect(stats.stdout).toMatch(new RegExp(`^${id.slice(0, 12)}\\s+${name}\\s+\\d+\\.\\d\\d%`, 'm'));
    const since = String(Math.floor(Date.now() / 1000) - 600);
    const until_ = String(Math.floor(Date.now() / 1000) + 1);
    const ev = ['events', '--since', since, '--until', until_, '--filter', `container=${name}`];
    const mine = await remote(ev);
    expect(mine.exitCode).toBe(0);
    expect(mine.stdout).toBe((await peerDocker(ev)).stdout + '\n');
    expect(mine.stdout).toMatch(/ container start /);
  });

  it('commit, save and load over the link', async () => {
    const c = await remote(['commit', '-m', 'from berth', name, `${tag}:c1`]);
    expect(c.exitCode).toBe(0);
    const cid = c.stdout.trim();
    expect((await peerDocker(['inspect', '-f', '{{.Id}} {{.Comment}}', `${tag}:c1`])).stdout).toBe(`${cid} from berth`);
    const dir = mkdtempSync(join(tmpdir(), 'berth-remote-save-'));
    try {
      const file = join(dir, 'img.tar');
      expect((await remote(['save', '-o', file, `${tag}:c1`])).exitCode).toBe(0);
      expect((await peerDocker(['rmi', `${tag}:c1`])).exitCode).toBe(0);
      const l = await remote(['load', '-i', file]);
      expect(l.stdout).toBe(`Loaded image: ${tag}:c1\n`);
      expect((await peerDocker(['inspect', '-f', '{{.Id}}', `${tag}:c1`])).stdout).toBe(cid);
      // and the embedded engine takes what came over the link
      expect((await berth(local, ['load', '-i', file])).stdout).toBe(`Loaded image: ${tag}:c1\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cp both ways through the archive endpoints, with docker’s naming rules', async () => {
    const setup = 'mkdir -p /tmp/d/sub && echo one > /tmp/d/a && echo two > /tmp/d/sub/b && ln -sf /tmp/d/a /tmp/link';
    expect((await peerDocker(['exec', name, 'sh', '-c', setup])).exitCode).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'berth-remote-cp-'));
    const read = (...p: string[]) => readFileSync(join(dir, ...p), 'utf8');
    try {
      // out: a file under a new name, a directory as a new one, a directory's contents into one that exists
      expect((await remote(['cp', `${name}:/tmp/d/a`, join(dir, 'a-copy')])).exitCode).toBe(0);
      expect(read('a-copy')).toBe('one\n');
      expect((await remote(['cp', `${name}:/tmp/d`, join(dir, 'd2')])).exitCode).toBe(0);
      expect([read('d2', 'a'), read('d2', 'sub', 'b')]).toEqual(['one\n', 'two\n']);
      mkdirSync(join(dir, 'into'));
      expect((await remote(['cp', `${name}:/tmp/d/.`, join(dir, 'into')])).exitCode).toBe(0);
      expect(readdirSync(join(dir, 'into')).sort()).toEqual(['a', 'sub']);
      // a link as a link, or followed with -L
      expect((await remote(['cp', `${name}:/tmp/link`, join(dir, 'l1')])).exitCode).toBe(0);
      expect(readlinkSync(join(dir, 'l1'))).toBe('/tmp/d/a');
      expect((await remote(['cp', '-L', `${name}:/tmp/link`, join(dir, 'l2')])).exitCode).toBe(0);
      expect(read('l2')).toBe('one\n');
      // in: a file under a new name, a directory into one that exists
      writeFileSync(join(dir, 'up.txt'), 'sent up\n');
      expect((await remote(['cp', join(dir, 'up.txt'), `${name}:/tmp/renamed.txt`])).exitCode).toBe(0);
      expect((await peerDocker(['exec', name, 'cat', '/tmp/renamed.txt'])).stdout).toBe('sent up');
      expect((await remote(['cp', join(dir, 'd2'), `${name}:/tmp/d`])).exitCode).toBe(0);
      expect((await peerDocker(['exec', name, 'cat', '/tmp/d/d2/sub/b'])).stdout).toBe('two');
      // what is not there: one line, exit 1
      const missing = await remote(['cp', `${name}:/tmp/nothing`, join(dir, 'x')]);
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr.trim().split('\n')).toHaveLength(1);
      expect(missing.stderr).toMatch(/\/tmp\/nothing/);
      const noParent = await remote(['cp', join(dir, 'up.txt'), `${name}:/nowhere/x`]);
      expect(noParent.exitCode).toBe(1);
      expect(noParent.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an engine that is not there: one line, exit 1', async () => {
    const r = await berth(none, ['-H', 'unix:///nonexistent/docker.sock', 'ps']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe(
      'Error: Cannot connect to the Docker daemon at unix:///nonexistent/docker.sock. Is the docker daemon running?\n',
    );
    const both = await berth(none, ['-H', host(), '--context', 'x', 'ps']);
    expect(both.stderr).toMatch(/conflicting options: either specify --host or --context, not both/);
  });

  describeIf(null)('a dropped link', () => {
    let proxy: UnixProxy;
    beforeAll(async () => {
      proxy = await unixProxy(host().slice('unix://'.length));
    });
    afterAll(async () => proxy?.close());

    it('mid-follow: logs -f ends with one line instead of waiting', async () => {
      const p: ResultPromise = execa('node', [join('dist', 'cli', 'main.cjs'), '-H', proxy.url, 'logs', '-f', name], {
        reject: false,
      });
      let out = '';
      p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      await until(() => out.includes('out two'));
      proxy.drop();
      const r = await p;
      expect(r.exitCode).toBe(1);
      // the log's own stderr line, then the failure in one line
      expect(String(r.stderr).split('\n')).toEqual([
        'err one',
        expect.stringMatching(/^Error: lost the connection to the engine at unix:\/\/\S+: .+$/),
      ]);
    });

    it('mid-save: the save fails with one line and leaves no file', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'berth-remote-drop-'));
      try {
        proxy.holdAfter(300_000);
        const p = execa(
          'node',
          [join('dist', 'cli', 'main.cjs'), '-H', proxy.url, 'save', '-o', join(dir, 'x.tar'), 'bb:latest'],
          { reject: false },
        );
        // the answer is held partway: the save is waiting on the link when it drops
        await until(() => readdirSync(dir).some((f) => statSync(join(dir, f)).size > 100_000));
        proxy.drop();
        const r = await p;
        expect(r.exitCode).toBe(1);
        expect(String(r.stderr).trim().split('\n')).toHaveLength(1);
        expect(String(r.stderr)).toMatch(/lost the connection to the engine/);
        expect(readdirSync(dir)).toEqual([]);
        expect(existsSync(join(dir, 'x.tar'))).toBe(false);
      } finally {
        proxy.holdAfter(Infinity);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
