/**
 * Pull replay records: the native launcher (bin/berth) answers `berth pull
 * [-q] NAME:TAG` of an image already here from the record Node kept after
 * the same line (src/engine/registry/pull-record.ts, native/launcher/
 * pull.c): one HEAD of the manifest, the store checked, the pull event
 * recorded, the same output. Any difference hands the line to Node, which
 * then does what it always does. With BERTH_NATIVE_RUN=only the launcher
 * never starts Node (it exits 125 where it would hand over).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  berth,
  describeIf,
  fixture,
  peerSkipReason,
  REPO,
  tempRoot,
  type RunResult,
  type TempRoot,
} from '../helpers/env.js';
import { V0_ID, V1_ID } from '../helpers/facts.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushFixture } from '../helpers/registry-peers.js';

const BIN = join(REPO, 'bin', 'berth');
const layersTar = fixture('layers.docker-save.tar');

describeIf(peerSkipReason())('pull replay records (the launcher answers a present pull)', () => {
  let reg: TestRegistry;
  let t: TempRoot;

  /** bin/berth as a user runs it: native 'only' (a replay or exit 125), 'auto' (as users have it). */
  async function launch(args: string[], native: 'only' | 'auto', env: Record<string, string> = {}): Promise<RunResult> {
    const e = { ...t.env, NO_COLOR: '1', ...env, ...(native === 'auto' ? {} : { BERTH_NATIVE_RUN: native }) };
    const r = await execa(BIN, args, { env: e, cwd: t.base, reject: false, stripFinalNewline: false, stdin: 'ignore' });
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  }

  /** Pull (Node downloads), pull again (Node finds it here, keeps the record), then the launcher alone answers. */
  async function primed(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    expect((await launch(args, 'auto', env)).exitCode).toBe(0);
    const node = await launch(args, 'auto', env);
    expect([node.exitCode, node.stderr]).toEqual([0, '']);
    const again = await launch(args, 'only', env);
    expect(again.stderr).toBe('');
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toBe(node.stdout);
    return node;
  }

  /** Change the record of the line that pulls `ref`. */
  function rewrite(ref: string, change: (doc: Record<string, unknown>) => Record<string, unknown>): void {
    const dir = join(t.root, 'pull-records');
    for (const n of readdirSync(dir)) {
      const doc = JSON.parse(readFileSync(join(dir, n), 'utf8')) as { argv: string[] };
      if (doc.argv.includes(ref)) writeFileSync(join(dir, n), JSON.stringify(change(doc)));
    }
  }

  const pullEvents = async (ref: string) =>
    (await berth(t, ['events', '--since', '0', '--until', '0s', '--filter', 'event=pull'])).stdout
      .split('\n')
      .filter((l) => l.includes(` image pull ${ref} `)).length;

  const imageId = async (ref: string) =>
    (await berth(t, ['image', 'inspect', ref, '--format', '{{.Id}}'])).stdout.trim();

  beforeAll(async () => {
    reg = await startRegistry();
    for (const tag of ['a', 'b', 'c', 'd', 'e', 'f'])
      await pushFixture(reg, layersTar, `lib/p:${tag}`, { image: 'bb-layers:v0' });
    await pushFixture(reg, layersTar, 'lib/p:v1', { image: 'bb-layers:v1' });
    t = tempRoot('berth-pullrec-');
  });
  afterAll(async () => {
    await reg?.stop();
    t?.cleanup();
  });

  it('answers the present pull alone: the same output, one manifest request, the pull event', async () => {
    const ref = `${reg.host}/lib/p:a`;
    const node = await primed(['pull', ref]);
    expect(node.stdout).toContain(`Status: Image is up to date for ${ref}\n${ref}\n`);
    await primed(['pull', '-q', ref]);
    const events = await pullEvents(ref);
    const before = reg.accessLog().length;
    const r = await launch(['pull', '-q', ref], 'only');
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([0, `${ref}\n`, '']);
    const seen = reg.accessLog().slice(before);
    expect(seen.map((e) => `${e.method} ${e.path}`)).toEqual(['HEAD /v2/lib/p/manifests/a']);
    expect(await pullEvents(ref)).toBe(events + 1);
    // Node records docker's pull event for an image that was up to date too
    expect((await berth(t, ['pull', '-q', ref])).stdout).toBe(`${ref}\n`);
    expect(await pullEvents(ref)).toBe(events + 2);
  });

  it('hands over when another image was pushed under the tag: Node pulls it', async () => {
    const ref = `${reg.host}/lib/p:b`;
    await primed(['pull', '-q', ref]);
    expect(await imageId(ref)).toBe(V0_ID);
    await pushFixture(reg, layersTar, 'lib/p:b', { image: 'bb-layers:v1' });
    const only = await launch(['pull', '-q', ref], 'only');
    expect([only.exitCode, only.stderr]).toEqual([125, expect.stringMatching(/another manifest/)]);
    const r = await launch(['pull', '-q', ref], 'auto');
    expect([r.exitCode, r.stdout]).toEqual([0, `${ref}\n`]);
    expect(await imageId(ref)).toBe(V1_ID);
  });

  it('hands over when the local tag moved to another image: Node puts it back', async () => {
    const ref = `${reg.host}/lib/p:c`;
    await primed(['pull', '-q', ref]);
    expect((await launch(['pull', '-q', `${reg.host}/lib/p:v1`], 'auto')).exitCode).toBe(0);
    expect((await berth(t, ['tag', `${reg.host}/lib/p:v1`, ref])).exitCode).toBe(0);
    const events = await pullEvents(ref);
    const only = await launch(['pull', '-q', ref], 'only');
    expect([only.exitCode, only.stderr]).toEqual([125, expect.stringMatching(/names another image/)]);
    expect(await pullEvents(ref)).toBe(events); // nothing written before handing over
    const r = await launch(['pull', '-q', ref], 'auto');
    expect([r.exitCode, r.stdout]).toEqual([0, `${ref}\n`]);
    expect(await imageId(ref)).toBe(V0_ID);
  });

  it('hands over when a docker config with credentials for the registry appeared', async () => {
    const ref = `${reg.host}/lib/p:d`;
    const dir = join(t.base, 'docker-config');
    mkdirSync(dir);
    const env = { DOCKER_CONFIG: dir };
    await primed(['pull', '-q', ref], env);
    const auth = Buffer.from('someone:secret').toString('base64');
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [reg.host]: { auth } } }));
    const only = await launch(['pull', '-q', ref], 'only', env);
    expect([only.exitCode, only.stderr]).toEqual([125, expect.stringMatching(/config\.json appeared/)]);
    const r = await launch(['pull', '-q', ref], 'auto', env);
    expect([r.exitCode, r.stdout]).toEqual([0, `${ref}\n`]);
    // Node saw credentials: it went the full client's way, and kept no record
    expect((await launch(['pull', '-q', ref], 'only', env)).exitCode).toBe(125);
  });

  it('hands over when a proxy variable is set, and with another build stamp', async () => {
    const ref = `${reg.host}/lib/p:e`;
    await primed(['pull', '-q', ref]);
    const proxied = { HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' };
    const only = await launch(['pull', '-q', ref], 'only', proxied);
    expect([only.exitCode, only.stderr]).toEqual([125, expect.stringMatching(/environment differs/)]);
    const r = await launch(['pull', '-q', ref], 'auto', proxied);
    expect([r.exitCode, r.stdout]).toEqual([0, `${ref}\n`]);
    // no record with a proxy variable set: the one kept before is gone
    expect((await launch(['pull', '-q', ref], 'only')).exitCode).toBe(125);

    const other = `${reg.host}/lib/p:f`;
    await primed(['pull', '-q', other]);
    rewrite(other, (doc) => ({ ...doc, stamp: 'another' }));
    const stale = await launch(['pull', '-q', other], 'only');
    expect([stale.exitCode, stale.stderr]).toEqual([125, expect.stringMatching(/another build/)]);
    expect((await launch(['pull', '-q', other], 'auto')).stdout).toBe(`${other}\n`);
    // Node kept a new record; past the scheme's memory (a day) it is not used
    expect((await launch(['pull', '-q', other], 'only')).exitCode).toBe(0);
    rewrite(other, (doc) => ({ ...doc, expires: Date.now() - 1 }));
    const expired = await launch(['pull', '-q', other], 'only');
    expect([expired.exitCode, expired.stderr]).toEqual([125, expect.stringMatching(/remembered no longer/)]);
  });

  it('hands over on another status or a malformed answer, before writing anything', async () => {
    const ref = `${reg.host}/lib/p:a`;
    const answers = [
      'HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n',
      'hello\r\n\r\n',
      'HTTP/1.1 200 OK\r\n',
    ];
    const server = createServer((c) => {
      c.once('data', () => c.end(answers.shift() ?? ''));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      rewrite(ref, (doc) => ({ ...doc, port }));
      const events = await pullEvents(ref);
      for (const why of [/answered 500/, /malformed/, /malformed or incomplete/]) {
        const r = await launch(['pull', '-q', ref], 'only');
        expect([r.exitCode, r.stderr]).toEqual([125, expect.stringMatching(why)]);
      }
      expect(await pullEvents(ref)).toBe(events);
    } finally {
      server.close();
    }
    expect((await launch(['pull', '-q', ref], 'auto')).stdout).toBe(`${ref}\n`);
  });

  it('hands over when the registry is gone: Node prints its one-line error', async () => {
    const gone = await startRegistry();
    const ref = `${gone.host}/lib/g:1`;
    try {
      await pushFixture(gone, layersTar, 'lib/g:1', { image: 'bb-layers:v0' });
      await primed(['pull', '-q', ref]);
    } finally {
      await gone.stop();
    }
    const only = await launch(['pull', '-q', ref], 'only');
    expect([only.exitCode, only.stderr]).toEqual([125, expect.stringMatching(/cannot connect/)]);
    const r = await launch(['pull', '-q', ref], 'auto');
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
