/**
 * Build safety, each test playing the attacker: symbolic links in the
 * context never let COPY (or a bind mount) read outside the context; an ADD
 * of a tar with `..` entries or links out fails and writes nothing outside
 * the image; a git context's #REF:DIR stays inside the clone (not by `..`,
 * not by the repository's links); Ctrl-C during a RUN leaves no image, no container, no mount and
 * no scratch files. And the events a build reports: docker's `image tag`.
 */
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect } from 'vitest';
import { berth, CLI, describeIf, fixture, itIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { build, fileServer, serveDir, contexts, lastLine } from '../helpers/build.js';
import { tarBuffer } from '../helpers/archives.js';

const skip = skipReason();
let t: TempRoot;
const { ctx, keep, removeAll } = contexts();
const last = lastLine;

describeIf(skip)('build safety', () => {
  beforeAll(async () => {
    t = tempRoot('berth-build-safety-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(() => {
    removeAll();
    t?.cleanup();
  });

  itIf(skip)('a symbolic link in the context never lets COPY read outside it', async () => {
    const secret = join(tmpdir(), `berth-secret-${process.pid}`);
    writeFileSync(secret, 'host secret\n');
    try {
      const files = {
        'etc-link': { symlink: '/etc' },
        'abs-link': { symlink: secret },
        'up-link': { symlink: `../../../../../../../..${secret}` },
        'inside/ok': 'inside\n',
      };
      for (const [src, resolved] of [
        ['etc-link/passwd', '/etc/passwd'],
        ['abs-link', secret],
        ['up-link', secret],
        ['etc-link/', '/etc'],
      ] as const) {
        const r = await build(t, [ctx({ ...files, Dockerfile: `FROM bb\nCOPY ${src} /x\n` })]);
        expect(r.exitCode, `${src}\n${r.stderr}`).toBe(1);
        expect(last(r.stderr)).toBe(
          `ERROR: failed to solve: failed to compute cache key: "${resolved}" not found: not found`,
        );
      }
      const mount = await build(t, [
        ctx({ ...files, Dockerfile: 'FROM bb\nRUN --mount=type=bind,source=abs-link,target=/m cat /m\n' }),
      ]);
      expect(mount.exitCode).toBe(1);
      expect(mount.stderr).not.toContain('host secret');
      // copied as part of a directory, links stay links and resolve inside the image
      const whole = await build(t, ['-t', 'links:1', ctx({ ...files, Dockerfile: 'FROM bb\nCOPY . /ctx\n' })]);
      expect(whole.exitCode, whole.stderr).toBe(0);
      const seen = await berth(t, [
        'run',
        '--rm',
        'links:1',
        'sh',
        '-c',
        'readlink /ctx/abs-link; cat /ctx/abs-link; cat /ctx/etc-link/passwd',
      ]);
      expect(seen.stdout).toBe(`${secret}\nroot:x:0:0:root:/root:/bin/sh\n`);
      expect(seen.stdout).not.toContain('host secret');
    } finally {
      rmSync(secret, { force: true });
    }
  });

  itIf(skip)("a git context's #REF:DIR never leaves the clone: not by .., not by the repository's links", async () => {
    // on the host: a directory the attacker would like built, with its own Dockerfile and a secret
    const host = mkdtempSync(join(tmpdir(), 'berth-git-host-'));
    keep(host);
    writeFileSync(join(host, 'Dockerfile'), 'FROM bb\nCOPY secret /secret\n');
    writeFileSync(join(host, 'secret'), 'host secret\n');
    // the repository: a real subdirectory, a link to the host directory, a link climbing out
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
    const work = join(repo, 'work');
    mkdirSync(join(work, 'sub'), { recursive: true });
    writeFileSync(join(work, 'sub', 'Dockerfile'), 'FROM bb\nCOPY in-sub /in-sub\n');
    writeFileSync(join(work, 'sub', 'in-sub'), 'from the repository\n');
    symlinkSync(host, join(work, 'evil'));
    symlinkSync(`../../../../../../../..${host}`, join(work, 'up'));
    git(['init', '-q', '-b', 'main'], work);
    git(['add', '.'], work);
    git(['commit', '-q', '-m', 'c'], work);
    git(['clone', '-q', '--bare', 'work', 'repo.git'], repo);
    git(['update-server-info'], join(repo, 'repo.git'));
    const srv = await fileServer({});
    try {
      serveDir(srv, join(repo, 'repo.git'), '/repo.git');
      const url = `${srv.url}/repo.git#main`;
      const ok = await berth(t, ['build', '-q', `${url}:sub`]);
      expect(ok.exitCode, ok.stderr).toBe(0);
      for (const sub of ['evil', 'up', `../../../../../../../..${host}`, `/${host}`]) {
        const r = await berth(t, ['build', '-q', `${url}:${sub}`]);
        expect(r.exitCode, `${sub}: ${r.stdout}`).toBe(1);
        // the directory named is the clone's own (not there), never the host's
        const m = /^ERROR: unable to prepare context: stat (\/\S+): no such file or directory$/.exec(last(r.stderr)!);
        expect(m, `${sub}: ${r.stderr}`).not.toBeNull();
        expect(m![1]!.endsWith(host), sub).toBe(true);
        expect(m![1]!.length, sub).toBeGreaterThan(host.length);
      }
      const dirLink = await berth(t, ['build', '-q', `${url}:sub/Dockerfile`]);
      expect(last(dirLink.stderr)).toMatch(
        /^ERROR: unable to prepare context: error setting git context, not a directory: \/\S+\/sub\/Dockerfile$/,
      );
    } finally {
      await srv.close();
    }
  });

  itIf(skip)('an ADD of a tar with .. entries or a link out fails and writes nothing outside', async () => {
    const canary = join(tmpdir(), `berth-canary-${process.pid}`);
    mkdirSync(canary, { recursive: true });
    try {
      const dotdot = await tarBuffer([
        { h: { name: 'ok', type: 'file', mode: 0o644 }, data: 'ok' },
        { h: { name: '../../../../../../../../../..' + canary + '/escaped', type: 'file', mode: 0o644 }, data: 'x' },
      ]);
      const viaLink = await tarBuffer([
        { h: { name: 'out', type: 'symlink', linkname: canary } },
        { h: { name: 'out/pwned', type: 'file', mode: 0o644 }, data: 'x' },
      ]);
      for (const [name, data] of [
        ['dotdot.tar', dotdot],
        ['link.tar', viaLink],
      ] as const) {
        const before = (await berth(t, ['images', '-q', '-a'])).stdout;
        const r = await build(t, [ctx({ [name]: data, Dockerfile: `FROM bb\nADD ${name} /dst/\n` })]);
        expect(r.exitCode, r.stderr).toBe(1);
        expect(last(r.stderr)).toMatch(
          /^ERROR: failed to solve: archive entry ".*" (points outside the destination|passes through the symbolic link "out" it created)$/,
        );
        expect((await berth(t, ['images', '-q', '-a'])).stdout).toBe(before);
      }
      expect(readdirSync(canary)).toEqual([]);
      expect(readdirSync(join(t.root, 'tmp'))).toEqual([]);
    } finally {
      rmSync(canary, { recursive: true, force: true });
    }
  });

  itIf(skip)('Ctrl-C during a RUN: no image, no container left running, no mount, no scratch files', async () => {
    const images = (await berth(t, ['images', '-q', '-a'])).stdout;
    const dir = ctx({ Dockerfile: 'FROM bb\nRUN echo started && sleep 121\nRUN echo never\n' });
    const child = execa('node', [CLI, 'build', '--progress', 'plain', '--network', 'none', '-t', 'cancelled:1', dir], {
      env: t.env,
      reject: false,
    });
    let err = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the RUN did not start:\n${err}`)), 60_000);
      child.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        if (/#\d+ \d+\.\d+ started/.test(err)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(1);
    expect(last(String(r.stderr))).toBe('ERROR: failed to solve: Canceled: context canceled');
    expect((await berth(t, ['images', '-q', '-a'])).stdout).toBe(images);
    expect(readdirSync(join(t.root, 'tmp'))).toEqual([]);
    expect(existsSync(join(t.runroot, 'c')) ? readdirSync(join(t.runroot, 'c')) : []).toEqual([]);
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(t.root);
    const monitors = await execa('pgrep', ['-f', `berth-monitor.*${t.root}`], { reject: false });
    expect(monitors.stdout).toBe('');
    const sleeping = await execa('pgrep', ['-f', 'sleep 121'], { reject: false });
    for (const pid of sleeping.stdout.split('\n').filter(Boolean)) {
      // a sleep of our build would have our store in its overlay; none may be left
      const mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
      expect(mounts).not.toContain(t.root);
    }
  });

  itIf(skip)("events: a build reports docker's image tag events, and no container events", async () => {
    const since = String(Math.floor(Date.now() / 1000) - 1);
    const r = await build(t, ['-t', 'events:1', '-t', 'events:2', ctx({ Dockerfile: 'FROM bb\nRUN echo hi > /hi\n' })]);
    expect(r.exitCode, r.stderr).toBe(0);
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const ev = await berth(t, [
      'events',
      '--since',
      since,
      '--until',
      until,
      '--format',
      '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}',
    ]);
    expect(ev.stdout.split('\n').filter(Boolean)).toEqual([
      'image tag docker.io/library/events:1',
      'image tag docker.io/library/events:2',
    ]);
  });
});
