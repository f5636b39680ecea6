/** start, stop, kill, pause, restart policies, rename, wait, update, rm — real containers. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMonitorState } from '../../src/engine/runtime/monitor.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI, berth, describeIf, skipReason } from '../helpers/env.js';
import { testEngine, until, type TestEngine } from '../helpers/engine.js';

const reason = skipReason();

interface Inspect {
  Id: string;
  State: {
    Status: string;
    Running: boolean;
    Paused: boolean;
    ExitCode: number;
    Pid: number;
    StartedAt: string;
    FinishedAt: string;
    OOMKilled: boolean;
  };
  RestartCount: number;
  Name: string;
  HostConfig: { Memory: number; NanoCpus: number; PidsLimit: number | null; RestartPolicy: { Name: string } };
}

describeIf(reason)('container lifecycle', () => {
  let e: TestEngine;
  const inspect = async (ref: string) => (await e.b.inspectContainer(ref)) as unknown as Inspect;
  const sleeper = async (extra: Record<string, unknown> = {}) => {
    const { id } = await e.b.createContainer({ image: 'bb', cmd: ['sleep', '1000'], ...extra });
    await e.b.startContainer(id);
    return id;
  };
  beforeAll(async () => {
    e = await testEngine();
  });
  afterAll(async () => e?.close());

  it('create, start, inspect a running container, stop it with SIGKILL after the timeout', async () => {
    const { id } = await e.b.createContainer({ image: 'bb', cmd: ['sleep', '1000'], name: 'life1' });
    expect((await inspect(id)).State).toMatchObject({
      Status: 'created',
      Running: false,
      Pid: 0,
      StartedAt: '0001-01-01T00:00:00Z',
    });
    await e.b.startContainer('life1');
    const running = await inspect('life1');
    expect(running.State).toMatchObject({ Status: 'running', Running: true });
    expect(running.State.Pid).toBeGreaterThan(1);
    // sleep as PID 1 ignores SIGTERM: stop falls back to SIGKILL after the timeout
    await e.b.stopContainer('life1', 1);
    expect((await inspect('life1')).State).toMatchObject({ Status: 'exited', ExitCode: 137, Running: false });
    // stopping a stopped container is fine; starting again works
    await e.b.stopContainer('life1');
    await e.b.startContainer('life1');
    expect((await inspect('life1')).State.Status).toBe('running');
    await e.b.removeContainer('life1', { force: true });
  });

  it('stop sends the stop signal first, and SIGKILL only once the timeout has passed', async () => {
    // handles the signal: exits by itself (42), well before a long timeout would kill it (137)
    const { id } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'trap "exit 42" TERM; while true; do sleep 0.1; done'],
    });
    await e.b.startContainer(id);
    await e.b.stopContainer(id, 600);
    expect((await inspect(id)).State.ExitCode).toBe(42);
    // notes the signal but goes on: killed after the timeout; --stop-signal and --stop-timeout are its defaults
    const { id: stubborn } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'trap "echo got USR1" USR1; while true; do sleep 0.1; done'],
      stopSignal: 'SIGUSR1',
      stopTimeout: 1,
    });
    await e.b.startContainer(stubborn);
    await until(async () => (await berth(e.t, ['exec', stubborn, 'true'])).exitCode === 0);
    await e.b.stopContainer(stubborn);
    expect((await inspect(stubborn)).State.ExitCode).toBe(137);
    const logs: string[] = [];
    for await (const l of e.b.containerLogs(stubborn)) logs.push(l.text);
    expect(logs).toEqual(['got USR1\n']);
    // -t -1 never kills: the handled signal alone ends it
    const { id: patient } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'trap "exit 9" TERM; while true; do sleep 0.1; done'],
    });
    await e.b.startContainer(patient);
    await e.b.stopContainer(patient, -1);
    expect((await inspect(patient)).State.ExitCode).toBe(9);
  });

  it('update --restart changes the policy of the running monitor', async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'while [ ! -e /go ]; do sleep 0.05; done; exit 1'],
    });
    await e.b.startContainer(id);
    await e.b.updateContainer(id, { restart: 'on-failure:2' });
    await berth(e.t, ['exec', id, 'sh', '-c', ': > /go']); // /go stays: every later run fails at once
    await until(async () => {
      const i = await inspect(id);
      return i.State.Status === 'exited' && i.RestartCount === 2;
    }, 20_000);
    expect((await inspect(id)).State.ExitCode).toBe(1);
  });

  it('kill with a signal, and refusals on stopped containers', async () => {
    // PID 1 of a namespace only gets signals it handles (SIGKILL aside)
    const { id: trapper } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'trap "exit 7" USR1; while true; do sleep 0.1; done'],
    });
    await e.b.startContainer(trapper);
    await e.b.killContainer(trapper, 'SIGUSR1');
    await until(async () => (await inspect(trapper)).State.Status === 'exited');
    expect((await inspect(trapper)).State.ExitCode).toBe(7);
    const id = await sleeper();
    await e.b.killContainer(id);
    await until(async () => (await inspect(id)).State.Status === 'exited');
    expect((await inspect(id)).State.ExitCode).toBe(137);
    await expect(e.b.killContainer(id)).rejects.toThrow(/is not running/);
    await expect(e.b.pauseContainer(id)).rejects.toThrow(/is not running/);
    await expect(e.b.killContainer(id, 'SIGNOPE')).rejects.toThrow('Invalid signal: SIGNOPE');
  });

  it('pause and unpause freeze and thaw every process', async () => {
    const id = await sleeper();
    await e.b.pauseContainer(id);
    const i = await inspect(id);
    expect(i.State).toMatchObject({ Status: 'paused', Paused: true, Running: true });
    const state = readFileSync(`/proc/${i.State.Pid}/status`, 'utf8');
    expect(state).toMatch(/^State:\s+[DS]/m); // frozen tasks sleep in the freezer
    await expect(e.b.pauseContainer(id)).rejects.toThrow(/already paused/);
    await expect(e.b.startContainer(id)).rejects.toThrow(/cannot start a paused container/);
    await expect(e.b.removeContainer(id)).rejects.toThrow(/paused container/);
    await e.b.unpauseContainer(id);
    expect((await inspect(id)).State.Status).toBe('running');
    await expect(e.b.unpauseContainer(id)).rejects.toThrow(/is not paused/);
    // a paused container can still be stopped and removed by force
    await e.b.pauseContainer(id);
    await e.b.removeContainer(id, { force: true });
    await expect(inspect(id)).rejects.toThrow(/No such container/);
  });

  it('wait returns the exit code; rename; rm refuses a running container', async () => {
    const { id } = await e.b.createContainer({ image: 'bb', cmd: ['sh', '-c', 'sleep 0.3; exit 5'], name: 'waiter' });
    await e.b.startContainer(id);
    expect((await e.b.waitContainer('waiter')).exitCode).toBe(5);
    await e.b.renameContainer('waiter', 'waited');
    expect((await inspect(id)).Name).toBe('/waited');
    await expect(e.b.renameContainer('waited', 'bad name')).rejects.toThrow(/Invalid container name/);
    const other = await sleeper({ name: 'busyname' });
    await expect(e.b.renameContainer('waited', 'busyname')).rejects.toThrow(/already in use/);
    await expect(e.b.createContainer({ image: 'bb', name: 'busyname', cmd: ['true'] })).rejects.toThrow(
      /Conflict. The container name "\/busyname" is already in use/,
    );
    await expect(e.b.removeContainer(other)).rejects.toThrow(/You cannot remove a running container/);
    await e.b.removeContainer(other, { force: true });
  });

  it('update changes limits on a live container', async () => {
    const id = await sleeper({ memory: '64m', cpus: '1', pidsLimit: 100 });
    await e.b.updateContainer(id, { memory: '128m', cpus: '0.5', pidsLimit: 50, restart: 'on-failure:3' });
    const i = await inspect(id);
    expect(i.HostConfig).toMatchObject({
      Memory: 128 * 1024 * 1024,
      NanoCpus: 5e8,
      PidsLimit: 50,
      RestartPolicy: { Name: 'on-failure' },
    });
    const cg = (ctrl: string, file: string) =>
      readFileSync(`/sys/fs/cgroup/${ctrl}/berth/${id}/${file}`, 'utf8').trim();
    expect(cg('memory', 'memory.limit_in_bytes')).toBe(String(128 * 1024 * 1024));
    expect(cg('cpu', 'cpu.cfs_quota_us')).toBe('50000');
    expect(cg('pids', 'pids.max')).toBe('50');
    await expect(e.b.updateContainer(id, { memory: '1k' })).rejects.toThrow('Minimum memory limit allowed is 6MB');
    await e.b.removeContainer(id, { force: true });
  });

  it('restart policy on-failure:2 restarts twice, then stays exited', async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'echo run; exit 3'],
      restart: 'on-failure:2',
    });
    await e.b.startContainer(id);
    await until(async () => {
      const i = await inspect(id);
      return i.State.Status === 'exited' && i.RestartCount === 2;
    }, 15_000);
    const logs: string[] = [];
    for await (const l of e.b.containerLogs(id)) logs.push(l.text);
    expect(logs).toEqual(['run\n', 'run\n', 'run\n']);
    expect((await inspect(id)).State.ExitCode).toBe(3);
  });

  it('restart policy always restarts until stopped', async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'sleep 0.2; exit 0'],
      restart: 'always',
    });
    await e.b.startContainer(id);
    await until(async () => (await inspect(id)).RestartCount >= 2, 15_000);
    await e.b.stopContainer(id, 1);
    const after = await inspect(id);
    expect(after.State.Status).toBe('exited');
    // its monitor ends too, so nothing is left that could start it again
    await until(() => !readMonitorState(join(e.t.runroot, 'c', id.slice(0, 16)))?.monitorAlive);
    expect(await inspect(id)).toMatchObject({ State: { Status: 'exited' }, RestartCount: after.RestartCount });
  });

  it('the CLI words refusals and usage errors as docker does', async () => {
    const { id } = await e.b.createContainer({ image: 'bb', cmd: ['true'], name: 'words' });
    const start = await berth(e.t, ['start', 'words', 'nosuch']);
    expect([start.exitCode, start.stdout, start.stderr]).toEqual([
      1,
      'words\n',
      'Error: No such container: nosuch\nError: failed to start containers: nosuch\n',
    ]);
    const rename = await berth(e.t, ['rename', 'words', 'words']);
    expect([rename.exitCode, rename.stderr]).toEqual([
      1,
      'Error: Renaming a container with the same name as its current name\nError: failed to rename container named words\n',
    ]);
    const update = await berth(e.t, ['update', 'words']);
    expect([update.exitCode, update.stderr]).toEqual([
      1,
      'you must provide one or more flags when using this command\n',
    ]);
    const badInt = await berth(e.t, ['update', '--pids-limit', 'many', 'words']);
    expect([badInt.exitCode, badInt.stderr]).toEqual([
      125,
      `berth: invalid argument "many": must be an integer\nSee 'berth update --help'.\n`,
    ]);
    const port = await berth(e.t, ['port', 'words', '80']);
    expect([port.exitCode, port.stderr]).toEqual([1, "Error: No public port '80' published for words\n"]);
    const flag = await berth(e.t, ['--root', e.t.root, 'container', 'ls', '--bogus']);
    expect([flag.exitCode, flag.stderr]).toEqual([
      125,
      "berth: unknown option '--bogus'\nSee 'berth container ls --help'.\n",
    ]);
    const both = await berth(e.t, ['run', '--rm', '--restart', 'always', 'bb', 'true']);
    expect([both.exitCode, both.stderr]).toEqual([
      125,
      "berth: conflicting options: cannot specify both --restart and --rm\nSee 'berth run --help'.\n",
    ]);
    // a reader that goes away ends the CLI quietly (SIGPIPE's status), without a stack trace
    const { execa } = await import('execa');
    const piped = await execa(
      'sh',
      [
        '-c',
        `for i in 1 2 3 4 5 6 7 8; do echo; done | node ${CLI} run -i --rm bb sh -c 'i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done' | head -1`,
      ],
      { env: { ...process.env, ...e.t.env }, reject: false },
    );
    expect([piped.stdout, piped.stderr]).toEqual(['line 0', '']);
    await e.b.removeContainer(id);
  });

  it('the CLI prints names as docker does and reports errors per container', async () => {
    const id = await sleeper({ name: 'cli1' });
    const r = await berth(e.t, ['stop', '-t', '0', 'cli1', 'nosuch']);
    expect([r.exitCode, r.stdout, r.stderr]).toEqual([1, 'cli1\n', 'Error: No such container: nosuch\n']);
    expect((await berth(e.t, ['start', 'cli1'])).stdout).toBe('cli1\n');
    expect((await berth(e.t, ['pause', 'cli1'])).stdout).toBe('cli1\n');
    expect((await berth(e.t, ['ps', '--format', '{{.Status}}', '-f', 'name=cli1'])).stdout).toMatch(
      /^Up .* \(Paused\)\n$/,
    );
    expect((await berth(e.t, ['unpause', 'cli1'])).stdout).toBe('cli1\n');
    expect((await berth(e.t, ['kill', 'cli1'])).stdout).toBe('cli1\n');
    expect((await berth(e.t, ['wait', 'cli1'])).stdout).toBe('137\n');
    expect((await berth(e.t, ['rm', id.slice(0, 10)])).stdout).toBe(`${id.slice(0, 10)}\n`);
  });
});
