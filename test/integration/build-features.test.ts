/**
 * What berth builds that the peer's BuildKit 0.8 cannot (so it is checked
 * against what current BuildKit does): heredocs, COPY --link, ADD --checksum,
 * RUN --network, ADD --chown of an archive, ADD --chmod of a URL,
 * `${VAR%suffix}`, `# syntax=`; and the ways docker takes a context:
 * a Dockerfile or a tar on stdin, a tar or a Dockerfile over HTTP, a git
 * repository; -f, --iidfile, -q, --label, --platform, secrets from the
 * environment.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import {
  berth,
  berthBytes,
  describeIf,
  fixture,
  itIf,
  peerSkipReason,
  skipReason,
  tempRoot,
  type TempRoot,
} from '../helpers/env.js';
import { startRegistry } from '../helpers/registry.js';
import { pushFixture } from '../helpers/registry-peers.js';
import { build, fileServer, serveDir, type FileServer, contexts } from '../helpers/build.js';
import { archiveTar, gzip } from '../build-corpus/cases.js';
import { readSaved } from '../helpers/build-compare.js';
import { sha, tarBuffer } from '../helpers/archives.js';

const skip = skipReason();
let t: TempRoot;
let srv: FileServer;
const { ctx, keep, removeAll } = contexts();
const run = async (image: string, script: string) =>
  (await berth(t, ['run', '--rm', image, 'sh', '-c', script])).stdout;

describeIf(skip)('build features beyond the peer', () => {
  beforeAll(async () => {
    t = tempRoot('berth-build-features-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    srv = await fileServer({ '/remote.txt': 'served\n' });
  });
  afterAll(async () => {
    await srv?.close();
    removeAll();
    t?.cleanup();
  });

  itIf(skip)('heredocs: RUN scripts (with a shebang too), COPY with and without expansion', async () => {
    const dockerfile = [
      '# syntax=docker/dockerfile:1',
      'FROM bb',
      'ENV WHO=world',
      'RUN <<EOF',
      'echo "hello $WHO" > /greeting',
      'echo second line >> /greeting',
      'EOF',
      'RUN <<EOT',
      '#!/bin/sh',
      'echo "from a script: $0" > /script',
      'EOT',
      'RUN cat <<A > /cat-a && cat <<-B > /cat-b',
      'a $WHO',
      'A',
      '\tb',
      '\tB',
      'COPY <<expanded <<"literal" /files/',
      'value $WHO',
      'expanded',
      'value $WHO',
      'literal',
    ].join('\n');
    const r = await build(t, ['-t', 'heredoc:1', ctx({ Dockerfile: dockerfile })]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('# syntax=docker/dockerfile:1 is accepted and ignored');
    expect(r.stderr).toContain('[2/5] RUN <<EOF (echo "hello $WHO" > /greeting...)');
    expect(r.stderr).toContain('[3/5] RUN <<EOT (#!/bin/sh...)');
    expect(await run('heredoc:1', 'cat /greeting /script /cat-a /cat-b /files/expanded /files/literal')).toBe(
      'hello world\nsecond line\nfrom a script: /dev/pipes/EOT\na world\nb\nvalue world\nvalue $WHO\n',
    );
    const history = (await berth(t, ['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'heredoc:1'])).stdout;
    expect(history.split('\n')[0]).toBe('COPY <<expanded <<literal /files/ # buildkit');
  });

  itIf(skip)('COPY --link makes a layer that does not depend on the one below', async () => {
    const dir = ctx({ Dockerfile: 'FROM bb\nRUN mkdir -m 700 /opt\nCOPY --link f /opt/app/f\n', f: 'linked\n' });
    const r = await build(t, ['-t', 'link:1', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    const img = await readSaved((await berthBytes(t, ['save', 'link:1'])).stdout);
    // made from scratch: the parents are new directories (0755), not the 0700 /opt copied up
    expect(img.layers[2]!.map((e) => `${e.name} ${e.type} ${e.mode}`)).toEqual([
      'opt dir 755',
      'opt/app dir 755',
      'opt/app/f file 644',
    ]);
  });

  itIf(skip)('ADD --checksum: verified, and a cached step does not fetch again', async () => {
    const good = sha('served\n');
    const dir = ctx({ Dockerfile: `FROM bb\nADD --checksum=${good} ${srv.url}/remote.txt /r\n` });
    const r = await build(t, ['-t', 'sum:1', dir]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await run('sum:1', 'cat /r; stat -c %a /r')).toBe('served\n600\n');
    const fetched = srv.requests.length;
    const again = await build(t, [dir]);
    expect(again.stderr).toMatch(/#\d+ CACHED/);
    expect(srv.requests.length).toBe(fetched);
    const bad = await build(t, [
      ctx({ Dockerfile: `FROM bb\nADD --checksum=sha256:${'0'.repeat(64)} ${srv.url}/remote.txt /r\n` }),
    ]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr.trimEnd().split('\n').pop()).toBe(
      `ERROR: failed to solve: digest mismatch sha256:${'0'.repeat(64)}: ${good}`,
    );
    const onCopy = await build(t, [ctx({ Dockerfile: `FROM bb\nCOPY --checksum=${good} a b\n` })]);
    expect(onCopy.stderr).toContain('unknown flag: --checksum');
  });

  itIf(skip)("RUN --network: none has only loopback, host sees the host's interfaces", async () => {
    const dockerfile = [
      'FROM bb',
      'RUN --network=none cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | sort > /none',
      'RUN --network=host cat /proc/net/dev | tail -n +3 | cut -d: -f1 | tr -d " " | sort > /host',
    ].join('\n');
    const r = await berth(t, ['build', '--progress', 'plain', '-t', 'net:1', ctx({ Dockerfile: dockerfile })]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await run('net:1', 'cat /none')).toBe('lo\n');
    const host = readFileSync('/proc/net/dev', 'utf8')
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0]!.trim())
      .filter(Boolean)
      .sort();
    expect((await run('net:1', 'cat /host')).split('\n').filter(Boolean)).toEqual(host);
  });

  itIf(skip)('ADD --chown of an archive, ADD --chmod of a URL, ${VAR%suffix}, --label, --platform', async () => {
    const dockerfile = [
      'FROM bb',
      'ARG FILE=archive.tar.gz',
      'ADD --chown=5:6 ${FILE} /x/',
      `ADD --chmod=640 ${srv.url}/remote.txt /remote`,
      'ENV STEM=${FILE%%.*}',
      'LABEL from=dockerfile',
    ].join('\n');
    const dir = ctx({ Dockerfile: dockerfile, 'archive.tar.gz': await gzip(await archiveTar()) });
    const r = await build(t, [
      '-t',
      'own:1',
      '--label',
      'extra=label',
      '--label',
      'from=cli',
      '--platform',
      'linux/amd64',
      dir,
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await run('own:1', 'stat -c "%n %u:%g %a" /x/top /x/top/f /x/top/sub/g /remote; echo $STEM')).toBe(
      '/x/top 5:6 755\n/x/top/f 5:6 640\n/x/top/sub/g 5:6 755\n/remote 0:0 640\narchive\n',
    );
    const inspect = JSON.parse((await berth(t, ['image', 'inspect', 'own:1'])).stdout)[0];
    expect(inspect.Config.Labels).toEqual({ extra: 'label', from: 'cli' });
    expect([inspect.Os, inspect.Architecture]).toEqual(['linux', 'amd64']);
  });

  itIf(skip)('secrets from a file and from the environment; a missing required secret', async () => {
    const dockerfile = [
      'FROM bb',
      'RUN --mount=type=secret,id=file --mount=type=secret,id=envsecret,env=FROM_ENV cat /run/secrets/file > /got && echo $FROM_ENV >> /got',
      'RUN --mount=type=secret,id=absent test ! -e /run/secrets/absent',
    ].join('\n');
    const secretFile = join(mkdtempSync(join(tmpdir(), 'berth-secret-')), 's');
    writeFileSync(secretFile, 'from file\n');
    keep(join(secretFile, '..'));
    const r = await berth(
      t,
      [
        'build',
        '--progress',
        'plain',
        '--network',
        'none',
        '--secret',
        `id=file,src=${secretFile}`,
        '--secret',
        'id=envsecret,env=SECRET_VALUE',
        '-t',
        'sec:1',
        ctx({ Dockerfile: dockerfile }),
      ],
      { env: { SECRET_VALUE: 'from env' } },
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(await run('sec:1', 'cat /got')).toBe('from file\nfrom env\n');
    // the secret is mounted, never in a layer
    const img = await readSaved((await berthBytes(t, ['save', 'sec:1'])).stdout);
    expect(img.layers.flat().map((e) => e.name)).not.toContain('run/secrets/file');
    const req = await build(t, [ctx({ Dockerfile: 'FROM bb\nRUN --mount=type=secret,id=need,required true\n' })]);
    expect(req.stderr.trimEnd().split('\n').pop()).toBe('ERROR: failed to solve: secret need: not found');
  });

  itIf(skip)(
    'contexts: a Dockerfile on stdin, a tar on stdin, a tar and a Dockerfile over HTTP, a git repository',
    async () => {
      const fromStdin = await berth(t, ['build', '-q', '-'], { input: 'FROM bb\nRUN echo stdin > /s\n' });
      expect(fromStdin.exitCode, fromStdin.stderr).toBe(0);
      expect(await run(fromStdin.stdout.trim(), 'cat /s')).toBe('stdin\n');

      const tar = await gzip(
        await tarBuffer([
          { h: { name: 'Dockerfile', type: 'file', mode: 0o644 }, data: 'FROM bb\nCOPY in-tar /in-tar\n' },
          { h: { name: 'in-tar', type: 'file', mode: 0o644 }, data: 'from the tar\n' },
        ]),
      );
      const tarStdin = await berth(t, ['build', '-q', '-'], { input: tar });
      expect(tarStdin.exitCode, tarStdin.stderr).toBe(0);
      expect(await run(tarStdin.stdout.trim(), 'cat /in-tar')).toBe('from the tar\n');

      srv.set('/ctx.tar.gz', tar);
      srv.set('/Dockerfile.txt', 'FROM bb\nRUN echo url > /u\n');
      const url = await berth(t, ['build', '-q', `${srv.url}/ctx.tar.gz`]);
      expect(url.exitCode, url.stderr).toBe(0);
      expect(await run(url.stdout.trim(), 'cat /in-tar')).toBe('from the tar\n');
      const urlFile = await berth(t, ['build', '-q', `${srv.url}/Dockerfile.txt`]);
      expect(urlFile.exitCode, urlFile.stderr).toBe(0);

      const repo = mkdtempSync(join(tmpdir(), 'berth-git-'));
      keep(repo);
      const git = (args: string[], cwd: string) =>
        execFileSync('git', args, {
          cwd,
          env: {
            ...process.env,
            GIT_AUTHOR_NAME: 'a',
            GIT_AUTHOR_EMAIL: 'a@b',
            GIT_COMMITTER_NAME: 'a',
            GIT_COMMITTER_EMAIL: 'a@b',
          },
        });
      mkdirSync(join(repo, 'work'));
      writeFileSync(join(repo, 'work', 'Dockerfile'), 'FROM bb\nCOPY tracked /tracked\n');
      writeFileSync(join(repo, 'work', 'tracked'), 'from git\n');
      git(['init', '-q', '-b', 'main'], join(repo, 'work'));
      git(['add', '.'], join(repo, 'work'));
      git(['commit', '-q', '-m', 'c'], join(repo, 'work'));
      git(['clone', '-q', '--bare', 'work', 'repo.git'], repo);
      git(['update-server-info'], join(repo, 'repo.git'));
      serveDir(srv, join(repo, 'repo.git'), '/repo.git');
      const fromGit = await berth(t, ['build', '-q', `${srv.url}/repo.git#main`]);
      expect(fromGit.exitCode, fromGit.stderr).toBe(0);
      expect(await run(fromGit.stdout.trim(), 'cat /tracked')).toBe('from git\n');
    },
  );

  itIf(skip)("-f from elsewhere, the Dockerfile's own .dockerignore, --iidfile", async () => {
    const dir = ctx({
      'ctx/a': 'a\n',
      'ctx/b': 'b\n',
      'files/build.Dockerfile': 'FROM bb\nCOPY . /c\n',
      'files/build.Dockerfile.dockerignore': 'b\n',
    });
    const iid = join(dir, 'iid');
    const r = await build(t, [
      '-f',
      join(dir, 'files/build.Dockerfile'),
      '--iidfile',
      iid,
      '-t',
      'own-ignore:1',
      join(dir, 'ctx'),
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stderr).toContain('[internal] load build definition from build.Dockerfile');
    expect(await run('own-ignore:1', 'ls /c')).toBe('a\n');
    expect(readFileSync(iid, 'utf8')).toMatch(/^sha256:[a-f0-9]{64}$/);
  });

  itIf(peerSkipReason())('FROM an image the store does not have is pulled (and --pull pulls again)', async () => {
    const reg = await startRegistry();
    const fresh = tempRoot('berth-build-pull-');
    try {
      await pushFixture(reg, fixture('busybox.docker-save.tar'), 'lib/bb:1');
      const dir = ctx({ Dockerfile: `FROM ${reg.host}/lib/bb:1\nRUN echo pulled > /p\n` });
      const r = await build(fresh, ['-t', 'from-registry:1', dir]);
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stderr).toContain(`[internal] load metadata for ${reg.host}/lib/bb:1`);
      expect(r.stderr).toMatch(/Pull complete [a-f0-9]{12}( [\d.]+s)? done/);
      expect((await berth(fresh, ['run', '--rm', 'from-registry:1', 'cat', '/p'])).stdout).toBe('pulled\n');
      const again = await build(fresh, ['--pull', dir]);
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stderr).toMatch(/#\d+ CACHED/);
      const missing = await build(fresh, [ctx({ Dockerfile: `FROM ${reg.host}/lib/nope:1\n` })]);
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr.trimEnd().split('\n').pop()).toMatch(
        new RegExp(
          `^ERROR: failed to solve: ${reg.host}/lib/nope:1: failed to resolve source metadata for ${reg.host}/lib/nope:1: `,
        ),
      );
    } finally {
      fresh.cleanup();
      await reg.stop();
    }
  });
});
