/**
 * `berth -H ... build` against an engine of the Docker Engine API (the peer
 * dockerd, podman's service, berth's own service): the context of
 * test/fixtures/remote-build built there with COPY, RUN, ENV, a build
 * argument and a tag, the image checked on that engine (its config, and its
 * files by running it); .dockerignore honoured; a failing RUN one line and
 * a non-zero exit; -q and --iidfile; a Dockerfile outside the context and
 * from stdin; an http URL context (a tar, a lone Dockerfile) fetched by the
 * CLI; Ctrl-C ends the CLI without a hang.
 */
import { execa } from 'execa';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/engine.js';
import { berth, CLI, fixture } from '../helpers/env.js';

export interface BuildTarget {
  /** Bring the engine up; its unix:// URL. */
  start(): Promise<string>;
  stop(): Promise<void>;
  /** The exit status of a RUN that exits 3 (docker and berth say 3; podman's service says nothing: 1). */
  failStatus: number;
  /**
   * `builder prune` there: 'prunes' (berth's service), 'missing' (podman's service has no
   * POST /build/prune), or undefined: not tried (the peer dockerd's cache is shared with other tests).
   */
  prune?: 'prunes' | 'missing';
  /** The engine runs a RUN in a container it names in " ---> Running in ID" (dockerd). */
  namesRunContainer?: boolean;
}

const none = { env: {} };
const CONTEXT = fixture('remote-build');

export function remoteBuildSuite(target: BuildTarget): void {
  let url = '';
  let work = '';
  const tag = `rb${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
  // a command that hangs is killed before the test's own timeout, so its output so far is in the failure
  const remote = (args: string[], o: Parameters<typeof berth>[2] = {}) =>
    berth(none, ['-H', url, ...args], { timeout: 120_000, ...o });

  beforeAll(async () => {
    url = await target.start();
    work = mkdtempSync(join(tmpdir(), 'berth-rbuild-'));
    const load = await remote(['load', '-i', fixture('busybox.docker-save.tar')]);
    expect(load.exitCode, load.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await remote(['rmi', '-f', `${tag}:1`, `${tag}:out`, `${tag}:stdin`, `${tag}:url`, `${tag}:urldf`]);
    rmSync(work, { recursive: true, force: true });
    await target.stop();
  });

  it('builds COPY, RUN, ENV, a build argument and a tag there; .dockerignore leaves files out', async () => {
    const b = await remote(['build', '-t', `${tag}:1`, '--build-arg', 'GREETING=hello-remote', CONTEXT]);
    expect(b.exitCode, `${b.stderr}${b.stdout}`).toBe(0);
    expect(b.stdout).toMatch(/^Sending build context to Docker daemon {2}\d/);
    // berth's service numbers the steps that make layers and names the base in full
    expect(b.stdout).toMatch(/^Step 1\/\d+ ?: FROM (docker\.io\/library\/)?bb:latest$/im);
    expect(b.stdout).toMatch(/^ran RUN$/m);
    expect(b.stdout).toMatch(new RegExp(`^Successfully tagged ${tag}:1$`, 'm'));
    const built = /^Successfully built ([0-9a-f]{12})$/m.exec(b.stdout)?.[1];
    expect(built).toBeTruthy();

    const inspect = await remote(['image', 'inspect', `${tag}:1`]);
    expect(inspect.exitCode, inspect.stderr).toBe(0);
    const [img] = JSON.parse(inspect.stdout) as {
      Id: string;
      Config: { Env: string[]; Cmd: string[]; Labels: Record<string, string> };
    }[];
    expect(img!.Id.replace(/^sha256:/, '').slice(0, 12)).toBe(built);
    expect(img!.Config.Env).toContain('ROLE=remote-build');
    expect(img!.Config.Cmd).toEqual(['cat', '/data/hello.txt']);
    expect(img!.Config.Labels).toMatchObject({ fixture: 'remote-build' });

    const run = await remote([
      'run',
      '--rm',
      `${tag}:1`,
      'sh',
      '-c',
      'cat /data/hello.txt /data/sub/nested.txt /data/args.txt; echo "role=$ROLE"; ls -A /ctx /ctx/sub',
    ]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      [
        'hello from the context',
        'nested',
        'greeting=hello-remote',
        'role=remote-build',
        '/ctx:',
        '.dockerignore',
        'Dockerfile',
        'Dockerfile.fail',
        'Dockerfile.slow',
        'hello.txt',
        'sub',
        '',
        '/ctx/sub:',
        'nested.txt',
        '',
      ].join('\n'),
    );
    // the default command, as the config says
    expect((await remote(['run', '--rm', `${tag}:1`])).stdout).toBe('hello from the context\n');
  }, 180_000);

  it('a failing RUN: one line on stderr and a non-zero exit (docker’s status)', async () => {
    const b = await remote(['build', '-f', join(CONTEXT, 'Dockerfile.fail'), CONTEXT]);
    expect(b.exitCode).toBe(target.failStatus);
    expect(b.stdout).toMatch(/^before the failure$/m);
    const lines = b.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/exit (code|status)?:? ?3|non-zero code: 3/);
  }, 120_000);

  it('a Dockerfile the engine cannot parse: its answer in one line, as the docker CLI shows it', async () => {
    const ctx = join(work, 'bad');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM bb:latest\nFOO bar\n');
    const b = await remote(['build', ctx]);
    expect(b.exitCode).not.toBe(0);
    const lines = b.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/FOO/i);
  }, 60_000);

  // (no prune of the peer dockerd: its build cache is shared with the other tests; checked by hand)
  if (target.prune)
    it('builder prune: POST /build/prune where the engine has it, one line where it has not', async () => {
      const p = await remote(['builder', 'prune', '-a', '-f']);
      if (target.prune === 'prunes') {
        expect(p.exitCode, p.stderr).toBe(0);
        expect(p.stdout).toMatch(/^Total reclaimed space: \S+$/m);
      } else {
        expect(p.exitCode).toBe(1);
        expect(p.stderr).toMatch(/^Error: this engine has no build cache to prune \(.*\)\n$/);
      }
    }, 60_000);

  it('-q prints the image ID alone; --iidfile writes it', async () => {
    const iid = join(work, 'iid');
    const b = await remote(['build', '-q', '--iidfile', iid, '--build-arg', 'GREETING=hello-remote', CONTEXT]);
    expect(b.exitCode, `${b.stderr}${b.stdout}`).toBe(0);
    expect(b.stdout).toMatch(/^sha256:[0-9a-f]{64}\n$/);
    expect(readFileSync(iid, 'utf8')).toBe(b.stdout.trim());
    const inspect = await remote(['image', 'inspect', '--format', '{{.Id}}', b.stdout.trim()]);
    expect(inspect.stdout.trim()).toBe(b.stdout.trim());
  }, 120_000);

  it('a Dockerfile outside the context and one from stdin are sent inside it, never seen by COPY', async () => {
    const outside = join(work, 'Outside.Dockerfile');
    writeFileSync(outside, 'FROM bb:latest\nCOPY . /ctx/\nRUN ls -A /ctx > /listing\n');
    const b = await remote(['build', '-t', `${tag}:out`, '-f', outside, CONTEXT]);
    expect(b.exitCode, `${b.stderr}${b.stdout}`).toBe(0);
    const ls = await remote(['run', '--rm', `${tag}:out`, 'cat', '/listing']);
    expect(ls.stdout.split('\n').filter(Boolean)).toEqual([
      '.dockerignore',
      'Dockerfile',
      'Dockerfile.fail',
      'Dockerfile.slow',
      'hello.txt',
      'sub',
    ]);
    const s = await remote(['build', '-t', `${tag}:stdin`, '-f', '-', CONTEXT], {
      input: 'FROM bb:latest\nRUN echo from-stdin > /marker\n',
    });
    expect(s.exitCode, s.stderr).toBe(0);
    expect((await remote(['run', '--rm', `${tag}:stdin`, 'cat', '/marker'])).stdout).toBe('from-stdin\n');
  }, 180_000);

  it('an http URL context: a tar, or a Dockerfile alone, fetched by the CLI and sent', async () => {
    const tar = join(work, 'ctx.tar');
    // what a tar from elsewhere holds is the engine's to filter (dockerd's classic builder does not): none of it here
    const files = ['Dockerfile', 'Dockerfile.fail', 'Dockerfile.slow', 'hello.txt', 'sub'];
    expect((await execa('tar', ['-C', CONTEXT, '-cf', tar, ...files], { reject: false })).exitCode).toBe(0);
    const server = createServer((req, res) => {
      if (req.url === '/ctx.tar') res.end(readFileSync(tar));
      else if (req.url === '/Dockerfile') res.end('FROM bb:latest\nRUN echo from-a-url > /marker\n');
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const b = await remote(['build', '-t', `${tag}:url`, '--build-arg', 'GREETING=url', `${base}/ctx.tar`]);
      expect(b.exitCode, `${b.stderr}${b.stdout}`).toBe(0);
      const run = await remote(['run', '--rm', `${tag}:url`, 'sh', '-c', 'cat /data/args.txt; ls /ctx']);
      expect(run.stdout).toBe('greeting=url\nDockerfile\nDockerfile.fail\nDockerfile.slow\nhello.txt\nsub\n');
      const d = await remote(['build', '-t', `${tag}:urldf`, `${base}/Dockerfile`]);
      expect(d.exitCode, d.stderr).toBe(0);
      expect((await remote(['run', '--rm', `${tag}:urldf`, 'cat', '/marker'])).stdout).toBe('from-a-url\n');
      const missing = await remote(['build', `${base}/nothing.tar`]);
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toMatch(/^ERROR: unable to prepare context: unable to download remote context .*: 404/);
    } finally {
      server.close();
    }
  }, 180_000);

  it('Ctrl-C during a RUN ends the CLI (the connection closes, the engine cancels): no hang', async () => {
    const child = execa('node', [CLI, '-H', url, 'build', '-f', join(CONTEXT, 'Dockerfile.slow'), CONTEXT], {
      reject: false,
      env: { NO_COLOR: '1' },
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        // the RUN's own output (its Step line names it too)
        if (/^started-long$/m.test(out)) resolve();
      });
      void child.then(() => reject(new Error(`the build ended before its RUN ran: ${out}`)));
    });
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr).split('\n').filter(Boolean)).toEqual(['ERROR: context canceled']);
    // dockerd names the RUN's container: the closed connection cancelled the build, which stops it
    // (podman 4.3's service lets a build whose client went run to its end: Dockerfile.slow's RUN is short)
    const ran = / ---> Running in ([0-9a-f]{12})/.exec(out)?.[1];
    if (target.namesRunContainer) {
      expect(ran).toBeTruthy();
      await until(async () => (await remote(['ps', '-q', '--filter', `id=${ran}`])).stdout.trim() === '', 30_000, 100);
    }
  }, 120_000);
}
