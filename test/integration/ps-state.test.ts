/** ps filters and formats, inspect, rmi refusals, and state that stays right across processes and crashes. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import {
  CLI,
  announceSkip,
  berth,
  describeIf,
  fixture,
  peerDocker,
  peerSkipReason,
  skipReason,
} from '../helpers/env.js';
import { runIn, testEngine, until, type TestEngine } from '../helpers/engine.js';
import { BB_ID } from '../helpers/facts.js';

const reason = skipReason();

describeIf(reason)('ps, inspect and state', () => {
  let e: TestEngine;
  beforeAll(async () => {
    e = await testEngine();
  });
  afterAll(async () => e?.close());
  beforeEach(async () => {
    for (const c of await e.b.listContainers({ all: true })) await e.b.removeContainer(c.Id, { force: true });
  });

  it("ps: docker's columns, -a, -q, -n, -l, -s, --no-trunc, filters, json", async () => {
    const a = await runIn(e.b, 'bb', ['sh', '-c', 'exit 2'], { name: 'ps-exited', labels: ['tier=db'] });
    const { id: b } = await e.b.createContainer({
      image: 'bb-layers:v1',
      cmd: ['sleep', '1000'],
      name: 'ps-running',
      labels: ['tier=web'],
    });
    await e.b.startContainer(b);
    const { id: c } = await e.b.createContainer({ image: 'bb', cmd: ['true'], name: 'ps-created' });
    const table = (await berth(e.t, ['ps'])).stdout.split('\n');
    expect(table[0]).toMatch(/^CONTAINER ID   IMAGE          COMMAND        CREATED +STATUS +PORTS +NAMES$/);
    // the image EXPOSEs 8080: docker's PORTS shows it, unpublished
    expect(table[1]).toMatch(
      new RegExp(`^${b.slice(0, 12)}   bb-layers:v1   "sleep 1000"   .+ ago +Up .+ +8080/tcp +ps-running$`),
    );
    expect(table).toHaveLength(3);
    const names = async (...args: string[]) =>
      (await berth(e.t, ['ps', '--format', '{{.Names}}', ...args])).stdout.trim().split('\n').filter(Boolean);
    expect(await names('-a')).toEqual(['ps-created', 'ps-running', 'ps-exited']);
    expect(await names('-n', '2')).toEqual(['ps-created', 'ps-running']);
    expect(await names('-l')).toEqual(['ps-created']);
    expect(await names('-a', '-f', 'status=exited')).toEqual(['ps-exited']);
    expect(await names('-a', '-f', 'exited=2')).toEqual(['ps-exited']);
    expect(await names('-a', '-f', 'exited=0')).toEqual([]);
    expect(await names('-a', '-f', 'label=tier=web')).toEqual(['ps-running']);
    expect(await names('-a', '-f', 'name=ps-c')).toEqual(['ps-created']);
    expect(await names('-a', '-f', `id=${a.id.slice(0, 6)}`)).toEqual(['ps-exited']);
    expect(await names('-a', '-f', 'ancestor=bb')).toEqual(['ps-created', 'ps-running', 'ps-exited']); // bb-layers descends from bb
    expect(await names('-a', '-f', 'ancestor=bb-layers:v1')).toEqual(['ps-running']);
    expect(await names('-a', '-f', 'before=ps-created')).toEqual(['ps-running', 'ps-exited']);
    expect(await names('-a', '-f', 'since=ps-exited')).toEqual(['ps-created', 'ps-running']);
    expect((await berth(e.t, ['ps', '-aq', '--no-trunc', '-f', 'name=ps-running'])).stdout).toBe(`${b}\n`);
    const bad = await berth(e.t, ['ps', '-f', 'status=sleeping']);
    expect([bad.exitCode, bad.stderr]).toEqual([1, "Error: invalid filter 'status=sleeping'\n"]);
    const json = JSON.parse((await berth(e.t, ['ps', '--format', 'json'])).stdout);
    expect(Object.keys(json)).toEqual([
      'Command',
      'CreatedAt',
      'ID',
      'Image',
      'Labels',
      'LocalVolumes',
      'Mounts',
      'Names',
      'Networks',
      'Ports',
      'RunningFor',
      'Size',
      'State',
      'Status',
    ]);
    expect(json).toMatchObject({
      Names: 'ps-running',
      State: 'running',
      Labels: 'org.example.fixture=layers,tier=web',
      Command: '"sleep 1000"',
    });
    // docker's row method .Label "key" (and the joined .Labels)
    const labelled = await berth(e.t, ['ps', '-a', '--format', '{{.Names}} {{.Label "tier"}}|{{.Label "nope"}}']);
    expect([labelled.exitCode, labelled.stdout]).toEqual([0, 'ps-created |\nps-running web|\nps-exited db|\n']);
    const sized = await berth(e.t, ['ps', '-s', '--format', '{{.Size}}']);
    expect(sized.stdout).toMatch(/^\d+(\.\d+)?[kM]?B \(virtual 1\.98MB\)\n$/);
    for (const x of [b, c, a.id]) await e.b.removeContainer(x, { force: true });
  });

  it("inspect has docker's ContainerInspect fields and takes templates", async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sleep', '100'],
      name: 'insp',
      env: ['A=1'],
      memory: '32m',
    });
    const i = JSON.parse((await berth(e.t, ['inspect', 'insp'])).stdout)[0];
    for (const k of [
      'Id',
      'Created',
      'Path',
      'Args',
      'State',
      'Image',
      'ResolvConfPath',
      'HostnamePath',
      'HostsPath',
      'LogPath',
      'Name',
      'RestartCount',
      'Driver',
      'Platform',
      'HostConfig',
      'GraphDriver',
      'Mounts',
      'Config',
      'NetworkSettings',
    ]) {
      expect(i).toHaveProperty(k);
    }
    expect(i).toMatchObject({
      Id: id,
      Name: '/insp',
      Path: 'sleep',
      Args: ['100'],
      Image: BB_ID,
      Config: { Image: 'bb', Env: ['A=1'] },
      HostConfig: { Memory: 32 * 1024 * 1024 },
    });
    expect(i.State).toEqual({
      Status: 'created',
      Running: false,
      Paused: false,
      Restarting: false,
      OOMKilled: false,
      Dead: false,
      Pid: 0,
      ExitCode: 0,
      Error: '',
      StartedAt: '0001-01-01T00:00:00Z',
      FinishedAt: '0001-01-01T00:00:00Z',
    });
    expect(
      (await berth(e.t, ['inspect', '-f', '{{.State.Running}} {{.Config.Cmd}} {{json .Config.Env}}', 'insp'])).stdout,
    ).toBe('false [sleep 100] ["A=1"]\n');
    expect((await berth(e.t, ['container', 'inspect', '-f', '{{.Name}}', 'insp'])).stdout).toBe('/insp\n');
    const wrong = await berth(e.t, ['container', 'inspect', 'bb']);
    expect(wrong.stderr).toBe('Error: No such container: bb\n');
    await e.b.removeContainer(id);
    // the same container under the peer docker has the same fields, in the same order
    if (announceSkip('inspect: the same container under the peer docker', peerSkipReason())) return;
    const args = ['--network', 'none', '-e', 'A=1', '-m', '32m', 'bb', 'sleep', '100'];
    const ours = JSON.parse(
      (await berth(e.t, ['inspect', (await berth(e.t, ['create', ...args])).stdout.trim()])).stdout,
    )[0];
    const name = `berth-insp-${process.pid}`;
    // a fresh peer has no images: give it the same bb first (the test must not rely on another having done so)
    expect((await peerDocker(['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    expect((await peerDocker(['create', '--name', name, ...args])).exitCode).toBe(0);
    const theirs = JSON.parse((await peerDocker(['inspect', name])).stdout)[0];
    await peerDocker(['rm', '-f', name]);
    const keys = (o: Record<string, unknown>) => Object.keys(o);
    expect(keys(ours)).toEqual(keys(theirs));
    for (const k of ['State', 'HostConfig', 'Config', 'NetworkSettings', 'GraphDriver'])
      expect(keys(ours[k]), k).toEqual(keys(theirs[k]));
    expect(keys(ours.NetworkSettings.Networks.none)).toEqual(keys(theirs.NetworkSettings.Networks.none));
    expect(ours.Config.Env).toEqual(theirs.Config.Env);
  });

  it('an image used by a container cannot be removed without -f, nor with it while running', async () => {
    const { id } = await e.b.createContainer({ image: 'bb', cmd: ['sleep', '1000'] });
    const stopped = await berth(e.t, ['rmi', 'bb']);
    expect(stopped.exitCode).toBe(1);
    expect(stopped.stderr).toBe(
      `Error: conflict: unable to remove repository reference "bb" (must force) - container ${id.slice(0, 12)} is using its referenced image 6aa4265b18c5\n`,
    );
    await e.b.startContainer(id);
    const running = await berth(e.t, ['rmi', '-f', BB_ID]);
    expect(running.stderr).toMatch(
      /cannot be forced\) - image (has dependent child images|is being used by running container)/,
    );
    await e.b.removeContainer(id, { force: true });
  });

  it('a container outlives the CLI that started it, and its state is right from any process', async () => {
    const r = await berth(e.t, ['run', '-d', '--name', 'survivor', 'bb', 'sh', '-c', 'sleep 1000']);
    expect(r.exitCode).toBe(0);
    const id = r.stdout.trim();
    // the CLI has exited; the container still runs under its monitor
    const i = (await e.b.inspectContainer(id)) as { State: { Status: string; Pid: number } };
    expect(i.State.Status).toBe('running');
    const monitorPid = Number(readFileSync(join(e.t.runroot, 'c', id.slice(0, 16), 'monitor.pid'), 'utf8'));
    expect(readFileSync(`/proc/${monitorPid}/status`, 'utf8')).toMatch(/PPid:\s+1\n/);
    // killing the monitor kills the container; berth reports it exited
    process.kill(monitorPid, 'SIGKILL');
    await until(
      async () => ((await e.b.inspectContainer(id)) as { State: { Status: string } }).State.Status === 'exited',
    );
    expect(((await e.b.inspectContainer(id)) as { State: { ExitCode: number } }).State.ExitCode).toBe(137);
    await until(() => {
      try {
        process.kill(i.State.Pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    // a reboot (runtime dir gone) leaves a running container exited
    await e.b.startContainer(id);
    const pid2 = ((await e.b.inspectContainer(id)) as { State: { Pid: number } }).State.Pid;
    const mon2 = Number(readFileSync(join(e.t.runroot, 'c', id.slice(0, 16), 'monitor.pid'), 'utf8'));
    process.kill(mon2, 'SIGKILL');
    await until(() => {
      try {
        process.kill(pid2, 0);
        return false;
      } catch {
        return true;
      }
    });
    rmSync(e.t.runroot, { recursive: true, force: true });
    expect(((await e.b.inspectContainer(id)) as { State: { Status: string } }).State.Status).toBe('exited');
    expect((await berth(e.t, ['ps', '-a', '--format', '{{.Names}} {{.State}}', '-f', 'name=survivor'])).stdout).toBe(
      'survivor exited\n',
    );
    // and it starts again
    await e.b.startContainer(id);
    expect(((await e.b.inspectContainer(id)) as { State: { Status: string } }).State.Status).toBe('running');
    await e.b.removeContainer(id, { force: true });
  });

  it('rm returns only once the monitor and its exit hook are done, so nothing writes to the root afterwards', async () => {
    const monitorOf = (id: string) =>
      Number(readFileSync(join(e.t.runroot, 'c', id.slice(0, 16), 'monitor.pid'), 'utf8'));
    // alive and not a zombie waiting for init to reap it
    const alive = (pid: number) => {
      try {
        return !/^\d+ \(.*\) [ZX]/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
      } catch {
        return false;
      }
    };
    // an exited --rm container whose monitor is still running its exit command (which removes it too)
    const r = await runIn(e.b, 'bb', ['true'], { autoRemove: true });
    const mon = monitorOf(r.id);
    await e.b.removeContainer(r.id).catch((err: { code?: string }) => expect(err.code).toBe('NOT_FOUND'));
    expect(alive(mon)).toBe(false);
    expect(existsSync(join(e.t.runroot, 'c', r.id.slice(0, 16)))).toBe(false);
    // a running one, removed by force
    const { id } = await e.b.createContainer({ image: 'bb', cmd: ['sleep', '1000'] });
    await e.b.startContainer(id);
    const mon2 = monitorOf(id);
    await e.b.removeContainer(id, { force: true });
    expect(alive(mon2)).toBe(false);
    // run --rm from the CLI: when the CLI exits, the container's monitor is gone too
    const cli = await berth(e.t, [
      'run',
      '--rm',
      '--name',
      'rm-waits',
      'bb',
      'sh',
      '-c',
      'cat /proc/1/status >/dev/null',
    ]);
    expect(cli.exitCode).toBe(0);
    const monitors = execFileSync('sh', [
      '-c',
      `ps -eo args | grep -c '[b]erth-monitor create .*${e.t.runroot}' || true`,
    ])
      .toString()
      .trim();
    expect(monitors).toBe('0');
  });

  it("run -d --rm: the monitor's exit command removes the container; the end of a run is recorded once, as a die event", async () => {
    const d = await berth(e.t, [
      'run',
      '-d',
      '--rm',
      'bb',
      'sh',
      '-c',
      'while [ ! -e /go ]; do sleep 0.05; done; exit 4',
    ]);
    const id = d.stdout.trim();
    // wait reports the code even though the container is gone right after its exit
    const waiting = berth(e.t, ['wait', id]);
    const sock = join(e.t.runroot, 'c', id.slice(0, 16), 'ctl.sock');
    await until(
      () =>
        readFileSync('/proc/net/unix', 'utf8')
          .split('\n')
          .filter((l) => l.endsWith(sock)).length === 2,
    ); // wait is connected
    await berth(e.t, ['exec', id, 'sh', '-c', ': > /go']);
    expect((await waiting).stdout).toBe('4\n');
    await until(async () => !(await berth(e.t, ['ps', '-aq', '--no-trunc'])).stdout.includes(id));
    await until(() => !existsSync(join(e.t.runroot, 'c', id.slice(0, 16))));
    const r = await runIn(e.b, 'bb', ['sh', '-c', 'exit 6']);
    for (let i = 0; i < 3; i++) await berth(e.t, ['inspect', r.id]); // several readers, one event
    const events = (id2: string) =>
      e.b.engine.store.db
        .prepare("SELECT action, attributes, time_ms FROM events WHERE actor_id = ? AND action = 'die'")
        .all(id2) as { attributes: string; time_ms: number }[];
    const die = events(r.id);
    expect(die).toHaveLength(1);
    expect(JSON.parse(die[0]!.attributes)).toMatchObject({ exitCode: '6', image: 'bb' });
    const finished = ((await e.b.inspectContainer(r.id)) as { State: { FinishedAt: string } }).State.FinishedAt;
    expect(die[0]!.time_ms).toBe(Date.parse(finished));
    expect(JSON.parse(events(id)[0]!.attributes)).toMatchObject({ exitCode: '4' });
  });

  it('ten parallel run --rm from separate processes all succeed and leave nothing behind', async () => {
    const before = readdirSync(join(e.t.root, 'containers')).length;
    const runs = await Promise.all(
      Array.from(
        { length: 10 },
        (_, i) =>
          new Promise<{ code: number; out: string }>((resolve) => {
            const p = spawn('node', [CLI, 'run', '--rm', 'bb', 'sh', '-c', `echo run${i} $(hostname)`], {
              env: { ...process.env, ...e.t.env },
            });
            let out = '';
            p.stdout.on('data', (d) => (out += d));
            p.on('exit', (code) => resolve({ code: code ?? -1, out }));
          }),
      ),
    );
    runs.forEach((r, i) => expect(`${r.code},${r.out}`).toMatch(new RegExp(`^0,run${i} [a-f0-9]{12}\n$`)));
    expect(readdirSync(join(e.t.root, 'containers')).length).toBe(before);
    expect((await berth(e.t, ['ps', '-aq'])).stdout).toBe('');
    // nothing left in the cgroup hierarchies either (the hostname is the ID's first 12 digits)
    const prefixes = runs.map((r) => r.out.trim().split(' ')[1]!);
    const left = ['memory', 'pids', 'freezer', 'cpuset'].flatMap((c) =>
      readdirSync(`/sys/fs/cgroup/${c}/berth`).filter((d) => prefixes.some((p) => d.startsWith(p))),
    );
    expect(left).toEqual([]);
    // nor runtime state
    expect(readdirSync(join(e.t.runroot, 'c')).filter((d) => prefixes.some((p) => d.startsWith(p)))).toEqual([]);
  });
});
