/** top, diff, commit (and its run under the peer docker), export, cp — on real containers. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { announceSkip, berth, describeIf, peerDocker, peerSkipReason, skipReason } from '../helpers/env.js';
import { runIn, testEngine, until, type TestEngine } from '../helpers/engine.js';
import { DIFF } from '../helpers/facts.js';

const reason = skipReason();

describeIf(reason)("a container's files", () => {
  let e: TestEngine;
  let work: string;
  beforeAll(async () => {
    e = await testEngine();
    work = mkdtempSync(join(e.t.base, 'work-'));
  });
  afterAll(async () => e?.close());

  it("top lists the container's processes as ps -ef does", async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'sleep 1000 & sleep 1000; echo done'],
      name: 'topper',
    });
    await e.b.startContainer(id);
    await until(async () => (await e.b.containerTop(id)).Processes.length === 3);
    const r = await berth(e.t, ['top', 'topper']);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(7).join(' '))).toEqual([
      'sh -c sleep 1000 & sleep 1000; echo done',
      'sleep 1000',
      'sleep 1000',
    ]);
    const custom = await berth(e.t, ['top', 'topper', '-o', 'pid,comm']);
    expect(
      custom.stdout
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/)[1]),
    ).toEqual(['sh', 'sleep', 'sleep']);
    await e.b.removeContainer(id, { force: true });
    const stopped = await berth(e.t, ['top', (await e.b.createContainer({ image: 'bb', cmd: ['true'] })).id]);
    expect(stopped.stderr).toMatch(/^Error: Container [a-f0-9]{64} is not running\n$/);
  });

  it("diff reports A, C and D as docker's overlay driver does", async () => {
    const r = await runIn(e.b, 'bb-layers:v1', [
      'sh',
      '-c',
      'echo x > /data/new.txt; echo y >> /data/a.txt; busybox rm /data/hard.txt 2>/dev/null || ls /bin/busybox >/dev/null; busybox rm -rf /var/www; busybox mkdir /var/www; echo z > /var/www/other',
    ]);
    const out = (await berth(e.t, ['diff', r.id])).stdout.trim().split('\n');
    expect(out).toContain('A /data/new.txt');
    expect(out).toContain('C /data/a.txt');
    expect(out).toContain('C /data');
    expect(out).toContain('D /var/www'); // recreated: opaque in the upper dir
    expect(out).toContain('A /var/www/other');
  });

  it('commit makes a layer with whiteouts and an opaque dir; the image runs here and under docker', async () => {
    const r = await runIn(e.b, 'bb-layers:v1', [
      'sh',
      '-c',
      'busybox rm /data/link; busybox rm -rf /data/sub; busybox mkdir /data/sub; echo fresh > /data/sub/f; echo committed > /data/c.txt',
    ]);
    const c = await berth(e.t, [
      'commit',
      '-a',
      'tester',
      '-m',
      'my commit',
      '-c',
      'CMD ["cat","/data/c.txt"]',
      '-c',
      'ENV STAGE=2',
      r.id,
      'committed:1',
    ]);
    expect(c.exitCode, c.stderr).toBe(0);
    const img = JSON.parse((await berth(e.t, ['inspect', 'committed:1'])).stdout)[0];
    expect(img).toMatchObject({
      Author: 'tester',
      Comment: 'my commit',
      Config: { Cmd: ['cat', '/data/c.txt'], Env: ['FOO=bar', 'STAGE=2'], Image: 'bb-layers:v1', WorkingDir: '/data' },
    });
    expect(img.RootFS.Layers.slice(0, 3)).toEqual(DIFF);
    expect(img.RootFS.Layers).toHaveLength(4);
    expect(img.Parent).toMatch(/^sha256:b55548ee/);
    const h = (
      await berth(e.t, ['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'committed:1'])
    ).stdout.split('\n')[0];
    expect(h).toBe(
      "sh -c 'busybox rm /data/link; busybox rm -rf /data/sub; busybox mkdir /data/sub; echo fresh > /data/sub/f; echo committed > /data/c.txt'|my commit",
    );
    const run = await runIn(e.b, 'committed:1', [
      'sh',
      '-c',
      'cat /data/c.txt; ls /data/sub; test -e /data/link || echo no-link; echo $STAGE',
    ]);
    expect(run.stdout).toBe('committed\nf\nno-link\n2\n');
    // the layer tar carries the OCI markers
    const out = join(work, 'committed.tar');
    await berth(e.t, ['save', '-o', out, 'committed:1']);
    const top = img.RootFS.Layers[3].slice(7);
    const listing = execFileSync('sh', ['-c', `tar -xOf ${out} blobs/sha256/${top} | tar -t`]).toString();
    expect(listing).toContain('data/.wh.link');
    expect(listing).toContain('data/sub/.wh..wh..opq');
    // the same archive runs under the peer docker
    if (!peerSkipReason()) {
      await peerDocker(['rmi', '-f', 'committed:1']);
      expect((await peerDocker(['load', '-i', out])).exitCode).toBe(0);
      const d = await peerDocker([
        'run',
        '--rm',
        'committed:1',
        'sh',
        '-c',
        'cat /data/c.txt; ls /data/sub; test -e /data/link || echo no-link; echo $STAGE',
      ]);
      expect(d.stdout).toBe('committed\nf\nno-link\n2');
      expect((await peerDocker(['run', '--rm', 'committed:1'])).stdout).toBe('committed');
      await peerDocker(['rmi', '-f', 'committed:1']);
    } else {
      announceSkip('commit: the same archive under the peer docker', peerSkipReason());
    }
  });

  it('commit pauses a running container by default, and can leave it running', async () => {
    const { id } = await e.b.createContainer({ image: 'bb', cmd: ['sh', '-c', 'echo hi > /tmp/x; sleep 1000'] });
    await e.b.startContainer(id);
    await until(async () => (await berth(e.t, ['exec', id, 'cat', '/tmp/x'])).stdout === 'hi\n');
    // docker's commit pauses through the freezer, and says so with pause and unpause events
    const actions = () =>
      (
        e.b.engine.store.db.prepare('SELECT action FROM events WHERE actor_id = ? ORDER BY seq').all(id) as {
          action: string;
        }[]
      ).map((r) => r.action);
    const img = await e.b.commitContainer(id, { repo: 'live:1' });
    expect(img).toMatch(/^sha256:/);
    expect(actions().slice(-3)).toEqual(['pause', 'unpause', 'commit']);
    expect(((await e.b.inspectContainer(id)) as { State: { Status: string } }).State.Status).toBe('running');
    const before = actions();
    await e.b.commitContainer(id, { repo: 'live:2', pause: false });
    expect(actions()).toEqual([...before, 'commit']);
    // docker's flag forms: -p=false does not pause; a bare -p is a flag, not a value
    expect((await berth(e.t, ['commit', '-p=false', id, 'live:3'])).exitCode).toBe(0);
    expect(actions()).toEqual([...before, 'commit', 'commit']);
    expect((await berth(e.t, ['commit', '-p', id, 'live:4'])).exitCode).toBe(0);
    expect(actions().slice(-3)).toEqual(['pause', 'unpause', 'commit']);
    expect((await runIn(e.b, 'live:2', ['cat', '/tmp/x'])).stdout).toBe('hi\n');
    await expect(e.b.commitContainer(id, { repo: 'Bad:Ref' })).rejects.toThrow(/must be lowercase/);
    await e.b.removeContainer(id, { force: true });
  });

  it('export is the flattened file system without whiteouts', async () => {
    const r = await runIn(e.b, 'bb-layers:v1', ['sh', '-c', 'echo e > /data/exported']);
    const out = join(work, 'export.tar');
    const x = await berth(e.t, ['export', '-o', out, r.id]);
    expect(x.exitCode, x.stderr).toBe(0);
    const names = execFileSync('tar', ['-tf', out]).toString().split('\n');
    expect(names).toContain('data/exported');
    expect(names).toContain('bin/busybox');
    expect(names.some((n) => n.includes('.wh.'))).toBe(false);
    expect(names).not.toContain('bin/wc');
    const dir = join(work, 'x');
    mkdirSync(dir);
    execFileSync('tar', ['-xf', out, '-C', dir]);
    expect(readFileSync(join(dir, 'data/a.txt'), 'utf8')).toBe('changed\n');
    expect(statSync(join(dir, 'data/a.txt')).ino).not.toBe(statSync(join(dir, 'data/hard.txt')).ino);
    expect(readlinkSync(join(dir, 'data/link'))).toBe('/data/a.txt');
    const missing = await berth(e.t, ['export', '-o', join(work, 'no.tar'), 'nosuch']);
    expect([missing.exitCode, missing.stderr]).toEqual([1, 'Error: No such container: nosuch\n']);
    expect(() => statSync(join(work, 'no.tar'))).toThrow();
  });

  it("cp copies both ways, with docker's naming, -a and -L", async () => {
    const { id } = await e.b.createContainer({ image: 'bb-layers:v1', cmd: ['sleep', '1000'], name: 'cpbox' });
    await e.b.startContainer(id);
    const src = join(work, 'src');
    mkdirSync(join(src, 'sub'), { recursive: true });
    writeFileSync(join(src, 'file.txt'), 'hello');
    writeFileSync(join(src, 'sub', 'deep.txt'), 'deep');
    execFileSync('chown', ['-R', '1234:1234', src]);
    // host -> container: a file into a dir, a dir as a new name, contents with /.
    expect((await berth(e.t, ['cp', join(src, 'file.txt'), 'cpbox:/tmp/'])).exitCode).toBe(0);
    expect((await berth(e.t, ['cp', src, 'cpbox:/tmp/newdir'])).exitCode).toBe(0);
    expect((await berth(e.t, ['cp', '-a', src + '/.', 'cpbox:/tmp/contents'])).exitCode).toBe(0);
    const seen = await berth(e.t, [
      'exec',
      'cpbox',
      'sh',
      '-c',
      'cat /tmp/file.txt; echo; cat /tmp/newdir/sub/deep.txt; echo; ls -n /tmp/newdir/file.txt | awk "{print \\$3}"; ls -n /tmp/contents/file.txt | awk "{print \\$3}"',
    ]);
    expect(seen.stdout).toBe('hello\ndeep\n0\n1234\n');
    // container -> host
    const dest = join(work, 'dest');
    mkdirSync(dest);
    expect((await berth(e.t, ['cp', 'cpbox:/data', dest])).exitCode).toBe(0);
    expect(readFileSync(join(dest, 'data', 'a.txt'), 'utf8')).toBe('changed\n');
    expect(readlinkSync(join(dest, 'data', 'link'))).toBe('/data/a.txt');
    expect((await berth(e.t, ['cp', 'cpbox:/data/a.txt', join(dest, 'renamed.txt')])).exitCode).toBe(0);
    expect(readFileSync(join(dest, 'renamed.txt'), 'utf8')).toBe('changed\n');
    // -L follows the link; without it the link itself is copied
    await berth(e.t, ['cp', '-L', 'cpbox:/data/link', join(dest, 'followed')]);
    expect(readFileSync(join(dest, 'followed'), 'utf8')).toBe('changed\n');
    await berth(e.t, ['cp', 'cpbox:/data/link', join(dest, 'asis')]);
    expect(readlinkSync(join(dest, 'asis'))).toBe('/data/a.txt');
    // an absolute symlink inside the container resolves inside it, never on the host
    await berth(e.t, ['exec', 'cpbox', 'sh', '-c', 'ln -s /etc /tmp/etclink']);
    await berth(e.t, ['cp', 'cpbox:/tmp/etclink/passwd', join(dest, 'passwd')]);
    expect(readFileSync(join(dest, 'passwd'), 'utf8')).toBe(
      readFileSync(join(e.t.root, 'layers', DIFF[0]!.slice(7), 'diff', 'etc', 'passwd'), 'utf8'),
    );
    // errors
    const miss = await berth(e.t, ['cp', 'cpbox:/nope', dest]);
    expect([miss.exitCode, miss.stderr]).toEqual([1, 'Error: Could not find the file /nope in container\n']);
    const nodir = await berth(e.t, ['cp', 'cpbox:/data/a.txt', join(work, 'no', 'such', 'dir', 'x')]);
    expect(nodir.exitCode).toBe(1);
    // a stopped container too
    await e.b.stopContainer('cpbox', 0);
    expect((await berth(e.t, ['cp', join(src, 'file.txt'), 'cpbox:/data/while-stopped.txt'])).exitCode).toBe(0);
    await e.b.startContainer('cpbox');
    expect((await berth(e.t, ['exec', 'cpbox', 'cat', '/data/while-stopped.txt'])).stdout).toBe('hello');
    await e.b.removeContainer('cpbox', { force: true });
    rmSync(dest, { recursive: true, force: true });
  });
});
