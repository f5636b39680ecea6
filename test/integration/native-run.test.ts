/**
 * The native launcher (bin/berth -> native/launcher): plain `run` lines go without Node once the
 * image has a run plan, and what they leave is what the engine leaves (needs root and containers).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/engine.js';
import { berthOnV2, loopWithSecret, v2SkipReason } from '../helpers/hostile.js';
import {
  REPO,
  announceSkip,
  berth,
  describeIf,
  fixture,
  skipReason,
  tempRoot,
  type RunResult,
  type TempRoot,
} from '../helpers/env.js';

const reason = skipReason();
const BIN = join(REPO, 'bin', 'berth');

/** bin/berth as a user runs it; native: 'only' (must not hand over) or '0' (all in Node). */
async function launch(t: TempRoot, args: string[], native: 'only' | '0' | 'auto' = 'only'): Promise<RunResult> {
  const env = { ...t.env, NO_COLOR: '1', ...(native === 'auto' ? {} : { BERTH_NATIVE_RUN: native }) };
  const r = await execa(BIN, args, { env, reject: false, stripFinalNewline: false, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const events = async (t: TempRoot, id: string) =>
  (
    await berth(t, [
      'events',
      '--since',
      '10m',
      '--until',
      '0s',
      '--filter',
      `container=${id}`,
      '--format',
      '{{.Action}}',
    ])
  ).stdout
    .trim()
    .split('\n');

/** A container's inspect and bundle with what differs between two containers (ID, name, times, pid) blanked. */
async function shape(t: TempRoot, id: string) {
  const rec = JSON.parse((await berth(t, ['inspect', id])).stdout)[0];
  // what the default bridge gave this one: its address, MAC and endpoint
  const net = rec.NetworkSettings;
  const text = (s: string) =>
    s
      .replaceAll(id, '<ID>')
      .replaceAll(id.slice(0, 16), '<ID16>')
      .replaceAll(id.slice(0, 12), '<ID12>')
      .replaceAll(rec.Name.slice(1), '<NAME>')
      .replaceAll(net.Networks.bridge.EndpointID, '<ENDPOINT>')
      .replaceAll(`${net.IPAddress}/`, '<IP>/')
      .replaceAll(`${net.IPAddress}"`, '<IP>"')
      .replaceAll(`${net.IPAddress}\t`, '<IP>\t')
      .replaceAll(net.MacAddress, '<MAC>');
  for (const k of ['Created']) rec[k] = '<TIME>';
  for (const k of ['StartedAt', 'FinishedAt', 'Pid']) rec.State[k] = '<STATE>';
  rec.NetworkSettings.SandboxKey = '<PID>';
  const dir = join(t.root, 'containers', id);
  return {
    inspect: JSON.parse(text(JSON.stringify(rec))),
    bundle: JSON.parse(text(readFileSync(join(dir, 'config.json'), 'utf8'))),
    files: ['hostname', 'hosts', 'resolv.conf', 'network.json'].map((f) => text(readFileSync(join(dir, f), 'utf8'))),
    dirs: readdirSync(dir).sort(),
  };
}

describeIf(reason)('the native run path', () => {
  let t: TempRoot;
  beforeAll(async () => {
    t = tempRoot();
    expect((await berth(t, ['load', '-q', '-i', fixture('layers.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(async () => {
    const ids = (await berth(t, ['ps', '-aq'])).stdout.trim();
    if (ids) await berth(t, ['rm', '-f', ...ids.split('\n')]);
    t?.cleanup();
  });

  it('takes an image only after its first run through Node wrote the run plan', async () => {
    const before = await launch(t, ['run', '--rm', 'bb', 'true']);
    expect(before.exitCode).toBe(125);
    expect(before.stderr).toMatch(/^berth: the native run path cannot take this command line: .*plans/);
    expect((await launch(t, ['run', '--rm', 'bb', 'true'], 'auto')).exitCode).toBe(0);
    expect(readdirSync(join(t.root, 'plans'))).toHaveLength(1);
    const after = await launch(t, ['run', '--rm', 'bb', 'echo', 'native']);
    expect([after.exitCode, after.stdout, after.stderr]).toEqual([0, 'native\n', '']);
  });

  it('confines a container as the engine does: seccomp, no_new_privs and device rules (cgroup v1 and v2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-native-confine-'));
    const loop = loopWithSecret(dir);
    try {
      expect((await launch(t, ['run', '--rm', 'bb', 'true'], 'auto')).exitCode).toBe(0);
      const attack = [
        'run',
        '--rm',
        'bb',
        'sh',
        '-c',
        `grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status; unshare -U true || echo no-userns; mknod /dev/d b ${loop.major} ${loop.minor} && head -c 30 /dev/d || echo no-disk`,
      ];
      const v2 = v2SkipReason();
      announceSkip('the native run path on cgroup v2', v2);
      const runs: [string, RunResult][] = [['v1', await launch(t, attack)]];
      if (!v2) runs.push(['v2', await berthOnV2(t, attack, { bin: BIN, env: { BERTH_NATIVE_RUN: 'only' } })]);
      for (const [v, r] of runs) {
        expect(r.stdout, `${v}: ${r.stderr}`).toBe('NoNewPrivs:\t1\nSeccomp:\t2\nno-userns\nno-disk\n');
        expect(r.stderr, v).toMatch(/unshare: .*Operation not permitted/);
        expect(r.stderr, v).toMatch(/head: \/dev\/d: Operation not permitted/);
      }
    } finally {
      loop.detach();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('records a container exactly as the engine does: inspect, bundle, files, events', async () => {
    await launch(t, ['run', '--rm', 'bb-layers:v1', 'true'], 'auto');
    const a = await launch(t, ['run', '-d', '--name', 'by-launcher', 'bb-layers:v1', 'sleep', '30']);
    const b = await launch(t, ['run', '-d', '--name', 'by-node', 'bb-layers:v1', 'sleep', '30'], '0');
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    const [ida, idb] = [a.stdout.trim(), b.stdout.trim()];
    expect(ida).toMatch(/^[a-f0-9]{64}$/);
    const [sa, sb] = [await shape(t, ida), await shape(t, idb)];
    expect(sa.inspect.State.Status).toBe('running');
    // both on the default bridge, each with an address of its own
    const ip = async (id: string) =>
      (await berth(t, ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', id])).stdout.trim();
    const [ipa, ipb] = [await ip(ida), await ip(idb)];
    expect(ipa).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(ipa).not.toBe(ipb);
    expect(sa).toEqual(sb);
    expect(await events(t, ida)).toEqual(await events(t, idb));
    expect(await events(t, ida)).toEqual(['create', 'start']);
    const ps = (await berth(t, ['ps', '--format', '{{.Names}} {{.Command}} {{.Status}}'])).stdout;
    expect(ps).toMatch(/by-launcher "sleep 30" Up/);
    await berth(t, ['rm', '-f', ida, idb]);
  });

  it('in the foreground: stdout and stderr apart, the exit code, and --rm leaves nothing', async () => {
    const r = await launch(t, [
      'run',
      '--rm',
      'bb-layers:v1',
      'sh',
      '-c',
      'echo out; echo err >&2; cat /data/a.txt; pwd; echo $FOO; exit 7',
    ]);
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([7, 'out\nchanged\n/data\nbar\n', 'err\n']);
    expect((await berth(t, ['ps', '-aq'])).stdout).toBe('');
    expect(readdirSync(join(t.root, 'containers'))).toEqual([]);
    expect(readdirSync(join(t.runroot, 'c'))).toEqual([]);
    const log = (
      await berth(t, [
        'events',
        '--since',
        '1m',
        '--until',
        '0s',
        '--format',
        '{{.Type}} {{.Action}} {{.Actor.Attributes.exitCode}}',
      ])
    ).stdout;
    // docker's order, the default bridge's events included
    expect(log.trim().split('\n').slice(-6)).toEqual([
      'container create <no value>',
      'network connect <no value>',
      'container start <no value>',
      'container die 7',
      'network disconnect <no value>',
      'container destroy <no value>',
    ]);
  });

  it("the image's entrypoint and command: its own when none is given, the one given otherwise", async () => {
    const exp = fixture('container-export.tar');
    await berth(t, ['import', '-c', 'CMD ["echo","from-image"]', exp, 'defcmd:v1']);
    await berth(t, ['import', '-c', 'ENTRYPOINT ["echo","ep"]', '-c', 'CMD ["x"]', exp, 'ep:v1']);
    for (const img of ['defcmd:v1', 'ep:v1']) expect((await launch(t, ['run', '--rm', img], 'auto')).exitCode).toBe(0);
    const kept = await launch(t, ['run', '--name', 'kept', 'defcmd:v1']);
    expect([kept.exitCode, kept.stdout, kept.stderr]).toEqual([0, 'from-image\n', '']);
    expect(
      (
        await berth(t, ['inspect', '-f', '{{.State.Status}} {{json .Config.Cmd}} {{.Path}} {{json .Args}}', 'kept'])
      ).stdout.trim(),
    ).toBe('exited ["echo","from-image"] echo ["from-image"]');
    expect((await launch(t, ['run', '--rm', 'ep:v1'])).stdout).toBe('ep x\n');
    const given = await launch(t, ['run', '--name', 'ep-given', 'ep:v1', 'a "b"', 'c']);
    expect(given.stdout).toBe('ep a "b" c\n');
    expect(
      (
        await berth(t, [
          'inspect',
          '-f',
          '{{json .Config.Cmd}} {{json .Config.Entrypoint}} {{.Path}} {{json .Args}}',
          'ep-given',
        ])
      ).stdout.trim(),
    ).toBe('["a \\"b\\"","c"] ["echo","ep"] echo ["ep","a \\"b\\"","c"]');
    await berth(t, ['rm', 'kept', 'ep-given']);
    // no command anywhere: Node says so
    const none = await launch(t, ['run', '--rm', 'bb'], 'auto');
    expect([none.exitCode, none.stderr]).toEqual([125, 'Error: No command specified\n']);
  });

  it("an exec failure: docker's message and code, and nothing left", async () => {
    const r = await launch(t, ['run', '--rm', 'bb', 'no-such-program']);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toBe('Error: exec: "no-such-program": executable file not found in $PATH\n');
    expect((await berth(t, ['ps', '-aq'])).stdout).toBe('');
  });

  it('hands to Node what it does not take, and Node answers as always', async () => {
    expect((await launch(t, ['run', '--rm', '-e', 'X=1', 'bb', 'sh', '-c', 'echo $X'], 'auto')).stdout).toBe('1\n');
    // (--pull never: a missing image is otherwise pulled, and this machine reaches no registry)
    const missing = await launch(t, ['run', '--rm', '--pull', 'never', 'nosuch:v9', 'true'], 'auto');
    expect([missing.exitCode, missing.stderr]).toEqual([125, "Error: Unable to find image 'nosuch:v9' locally\n"]);
    const first = await launch(t, ['run', '-d', '--name', 'taken', 'bb', 'sleep', '30']);
    expect(first.exitCode).toBe(0);
    const again = await launch(t, ['run', '--name', 'taken', 'bb', 'true'], 'auto');
    expect(again.exitCode).toBe(125);
    expect(again.stderr).toMatch(
      /^Error: Conflict\. The container name "\/taken" is already in use by container "[a-f0-9]{64}"/,
    );
    await berth(t, ['rm', '-f', 'taken']);
  });

  it('a tag moved to another image is followed, and a plan goes with its image', async () => {
    expect((await launch(t, ['run', '--rm', 'defcmd:v1'])).stdout).toBe('from-image\n');
    const id = (await berth(t, ['inspect', '-f', '{{.Id}}', 'defcmd:v1'])).stdout.trim();
    expect(readdirSync(join(t.root, 'plans'))).toContain(`${id.slice(7)}.json`);
    // defcmd:v1 now names bb's image, which has no command of its own: the launcher hands that to Node
    expect((await berth(t, ['tag', 'bb', 'defcmd:v1'])).exitCode).toBe(0);
    const moved = await launch(t, ['run', '--rm', 'defcmd:v1']);
    expect([moved.exitCode, moved.stderr]).toEqual([
      125,
      'berth: the native run path cannot take this command line: no command: the engine says what is missing\n',
    ]);
    expect((await berth(t, ['rmi', id])).exitCode).toBe(0);
    expect(readdirSync(join(t.root, 'plans'))).not.toContain(`${id.slice(7)}.json`);
  });

  it('SIGTERM to the command reaches the container (sig-proxy)', async () => {
    const env = { ...t.env, BERTH_NATIVE_RUN: 'only' };
    const p = execa(
      BIN,
      [
        'run',
        '--rm',
        'bb',
        'sh',
        '-c',
        'trap "echo got-term; exit 5" TERM; echo ready; while true; do sleep 0.1; done',
      ],
      { env, reject: false },
    );
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await new Promise<void>((resolve, reject) => {
      p.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      void p.then(() => reject(new Error(`ended before it was ready: ${err}`)));
    });
    p.kill('SIGTERM');
    const r = await p;
    expect([r.exitCode, String(r.stdout)]).toEqual([5, 'ready\ngot-term']);
    expect((await berth(t, ['ps', '-aq'])).stdout).toBe('');
  });

  it("an --rm container whose launcher was killed is still removed at its exit (the plan's exit command)", async () => {
    const env = { ...t.env, BERTH_NATIVE_RUN: 'only' };
    // the container ends when the test says so (a file it makes in the container with exec), so the
    // check that it is still listed never races its end, however slow the machine
    const p = execa(
      BIN,
      ['run', '--rm', '--name', 'orphan', 'bb', 'sh', '-c', 'echo ready; until [ -e /go ]; do sleep 0.05; done'],
      { env, reject: false },
    );
    await new Promise<void>((resolve) =>
      p.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()),
    );
    p.kill('SIGKILL');
    await p;
    expect((await berth(t, ['ps', '-a', '--format', '{{.Names}}'])).stdout).toBe('orphan\n');
    expect((await berth(t, ['exec', 'orphan', 'sh', '-c', ': > /go'])).exitCode).toBe(0);
    await until(async () => (await berth(t, ['ps', '-aq'])).stdout === '', 15_000, 100);
    expect(readdirSync(join(t.root, 'containers'))).toEqual([]);
  });

  it('ten at once all succeed and leave nothing behind', async () => {
    const rs = await Promise.all(
      Array.from({ length: 10 }, (_, i) => launch(t, ['run', '--rm', 'bb', 'sh', '-c', `echo ${i}`])),
    );
    expect(rs.map((r) => [r.exitCode, r.stdout, r.stderr])).toEqual(
      Array.from({ length: 10 }, (_, i) => [0, `${i}\n`, '']),
    );
    expect((await berth(t, ['ps', '-aq'])).stdout).toBe('');
    expect(readdirSync(join(t.root, 'containers'))).toEqual([]);
  });
});
