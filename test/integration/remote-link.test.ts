/**
 * A slow link's budgets (issue 18): what keeps an idle app off the link and
 * what lets a second session start without an ssh handshake.
 *
 * - the lists' stats at the idle beat: after no key for a while, the app's
 *   stats feed asks for its batches at the idle period, and a key brings the
 *   lists' beat back at once (the embedded engine's feed, real containers);
 * - at that beat the remote backend asks each running container for one
 *   reading per period (stats-rounds.ts) instead of holding a stream per
 *   container: the peer dockerd's batches have the running container with
 *   its memory, and a CPU share counted over the period;
 * - the kept ssh link: a first command over ssh leaves its master in a 0700
 *   directory of the user's, and a second command rides it (the same
 *   master, no other made); BERTH_SSH_PERSIST=0 keeps none; a user's own
 *   ControlPath with ControlMaster no gets no master at all;
 * - the engine's socket forwarded by the kept master: a session learns
 *   where it is, the next one's connections go through the forward (no
 *   ssh and no dial-stdio each), also those opened before the app's code
 *   loads (early-link.ts); a forward to a socket the engine is no longer on
 *   hands its connections to dial-stdio, and a kept host that cannot be
 *   reached fails in one line.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DockerBackend } from '../../src/client/docker-api/backend.js';
import { startEarly, takeEarly } from '../../src/client/docker-api/early-link.js';
import { parseHost } from '../../src/client/docker-api/endpoint.js';
import { keptControl, rememberEngine } from '../../src/client/docker-api/ssh-master.js';
import type { StatsSample } from '../../src/client/types/streams.js';
import { StatsFeed } from '../../src/tui/hooks/stats-feed.js';
import { initialState } from '../../src/tui/state/reducer.js';
import { createStore } from '../../src/tui/state/store.js';
import { testEngine, until } from '../helpers/engine.js';
import { berth, describeIf, peerDocker, peerSkipReason, skipReason } from '../helpers/env.js';
import { killKeptMasters, mastersUnder } from '../helpers/ssh-masters.js';

const mark = `i18l${process.pid}`;

describeIf(skipReason())('the lists’ stats at the idle beat', () => {
  it('goes to the idle period with no key, and back to the lists’ beat on the next key', async () => {
    const e = await testEngine();
    try {
      const { id } = await e.b.createContainer({ image: 'bb', name: 'idle', cmd: ['sleep', '3600'] });
      await e.b.startContainer(id);
      const store = createStore(initialState());
      // idle after 300 ms without a key; 5 s batches then
      const stats = new StatsFeed(e.b, store, 60_000, 1000, () => undefined, 300, 5000);
      stats.start();
      try {
        expect(stats.periodMs).toBe(2000);
        await until(() => stats.latest.has(id), 20_000);
        await until(() => stats.isIdle, 10_000);
        expect(stats.periodMs).toBe(5000);
        // the cell keeps its last reading meanwhile (older, not made up)
        expect(stats.latest.get(id)!.memUsed).toBeGreaterThan(0);
        stats.touch();
        expect(stats.isIdle).toBe(false);
        expect(stats.periodMs).toBe(2000);
        // and a Stats tab's hold is never idle
        const release = stats.hold();
        await new Promise((r) => setTimeout(r, 600));
        expect([stats.isIdle, stats.periodMs]).toEqual([false, 1000]);
        release();
      } finally {
        stats.stop();
      }
    } finally {
      await e.close();
    }
  }, 60_000);
});

describeIf(peerSkipReason())('the remote backend’s stats rounds', () => {
  beforeAll(async () => {
    await peerDocker(['rm', '-f', mark]);
    expect((await peerDocker(['run', '-d', '--name', mark, 'bb:latest', 'sleep', '600'])).exitCode).toBe(0);
  }, 60_000);
  afterAll(async () => {
    await peerDocker(['rm', '-f', mark]);
  });

  it('gives a batch per period with each running container, its memory and CPU share', async () => {
    const b = await DockerBackend.open(parseHost(process.env.PEER_DOCKER_HOST!));
    const ctl = new AbortController();
    try {
      const id = (await b.inspectContainer(mark)).Id;
      let got: StatsSample | undefined;
      // one round for the reference, the next (5 s on) for the batch
      for await (const batch of b.allStats({ intervalMs: 5000, signal: ctl.signal })) {
        got = batch.find((s) => s.id === id);
        if (got) break;
      }
      expect(got?.name).toBe(mark);
      expect(got!.memUsed).toBeGreaterThan(0);
      expect(Number.isFinite(got!.cpuPercent) && got!.cpuPercent >= 0).toBe(true);
    } finally {
      ctl.abort();
      await b.close();
    }
  }, 60_000);
});

describeIf(peerSkipReason())('the kept ssh link', () => {
  let dir = '';
  let sshd: ChildProcess | null = null;
  let port = 0;
  const host = () => `ssh://root@127.0.0.1:${port}`;
  const env = (run: string, ssh = 'ssh', extra: Record<string, string> = {}) => ({
    BERTH_SSH: join(dir, ssh),
    DOCKER_CONFIG: join(dir, 'docker-config'),
    XDG_RUNTIME_DIR: join(dir, run),
    ...extra,
  });
  const sshConfig = (name: string, extra: string[]) => {
    writeFileSync(
      join(dir, `${name}_config`),
      [
        'Host *',
        `  IdentityFile ${join(dir, 'id')}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
        '  StrictHostKeyChecking accept-new',
        '  BatchMode yes',
        ...extra,
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, name), `#!/bin/sh\nexec ssh -F ${join(dir, `${name}_config`)} "$@"\n`);
    chmodSync(join(dir, name), 0o755);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-link-'));
    for (const r of ['run', 'run-off', 'run-user', 'run-fwd', 'run-dead']) mkdirSync(join(dir, r));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')));
    chmodSync(join(dir, 'authorized_keys'), 0o600);
    port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    writeFileSync(
      join(dir, 'sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${join(dir, 'host_key')}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        `SetEnv DOCKER_HOST=${process.env.PEER_DOCKER_HOST}`,
        '',
      ].join('\n'),
    );
    sshConfig('ssh', []);
    // a user who set their own: ControlPath, and no master
    sshConfig('ssh-user', [`  ControlPath ${join(dir, 'run-user')}/theirs-%C`, '  ControlMaster no']);
    mkdirSync('/run/sshd', { recursive: true });
    sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: 'ignore' });
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          const s = connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
          s.on('error', () => resolve(false));
        }),
      15_000,
      50,
    );
  }, 60_000);
  afterAll(() => {
    for (const r of ['run', 'run-off', 'run-user', 'run-fwd', 'run-dead']) killKeptMasters(join(dir, r));
    sshd?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a second command rides the master the first one left, in a 0700 directory of the user’s', async () => {
    const first = await berth({ env: env('run') }, ['-H', host(), 'ps', '-a']);
    expect([first.exitCode, first.stderr]).toEqual([0, '']);
    const kept = join(dir, 'run', `berth-ssh-${process.getuid!()}`);
    expect(statSync(kept).mode & 0o777).toBe(0o700);
    const masters = mastersUnder(join(dir, 'run'));
    expect(masters).toHaveLength(1);
    const second = await berth({ env: env('run') }, ['-H', host(), 'version']);
    expect(second.stdout).toMatch(/Engine:\s+docker 20\.10/);
    expect(mastersUnder(join(dir, 'run'))).toEqual(masters);
    // what the first learnt of the engine is beside the socket, the user's only
    const [remembered] = readdirSync(kept).filter((f) => f.endsWith('.engine'));
    expect(statSync(join(kept, remembered!)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(kept, remembered!), 'utf8')).version).toBe('1.41');
    // an engine that no longer speaks the remembered version (here: one no engine speaks): the
    // requests made before the ping answered are sent again with the engine's, also when the ping's
    // check has replaced the version before the engine's refusal came back (a race the first runs on a
    // cold machine lost: the version was read after the answer; a few tries give it its chances)
    for (let i = 0; i < 4; i++) {
      writeFileSync(join(kept, remembered!), JSON.stringify({ version: '1.99', engine: {} }));
      const third = await berth({ env: env('run') }, ['-H', host(), 'ps', '-a', '--format', '{{.Names}}']);
      expect([third.exitCode, third.stderr]).toEqual([0, '']);
      expect(JSON.parse(readFileSync(join(kept, remembered!), 'utf8')).version).toBe('1.41');
    }
  }, 60_000);

  it('BERTH_SSH_PERSIST=0 keeps no link after the command', async () => {
    const r = await berth({ env: env('run-off', 'ssh', { BERTH_SSH_PERSIST: '0' }) }, ['-H', host(), 'ps', '-a']);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(mastersUnder(join(dir, 'run-off'))).toEqual([]);
  }, 60_000);

  it('a user’s own ControlPath with ControlMaster no: no master, theirs or berth’s', async () => {
    const r = await berth({ env: env('run-user', 'ssh-user') }, ['-H', host(), 'ps', '-a']);
    expect([r.exitCode, r.stderr]).toEqual([0, '']);
    expect(mastersUnder(join(dir, 'run-user'))).toEqual([]);
    expect(existsSync(join(dir, 'run-user', `berth-ssh-${process.getuid!()}`))).toBe(false);
  }, 60_000);

  /** This process's environment as a session's (the dialer reads BERTH_SSH and XDG_RUNTIME_DIR), until the returned undo. */
  const sessionEnv = (vars: Record<string, string>) => {
    const was = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
    Object.assign(process.env, vars);
    return () => {
      for (const [k, v] of Object.entries(was)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
  };
  /** This process's ssh children running dial-stdio (a connection each). */
  const dialStdio = () =>
    readdirSync('/proc').filter((pid) => {
      try {
        return (
          /^\d+$/.test(pid) &&
          readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(process.pid) &&
          readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dial-stdio')
        );
      } catch {
        return false;
      }
    });
  const kept = () => join(dir, 'run-fwd', `berth-ssh-${process.getuid!()}`);
  const record = () => {
    const [f] = readdirSync(kept()).filter((n) => n.endsWith('.engine'));
    return f ? (JSON.parse(readFileSync(join(kept(), f), 'utf8')) as { version: string; socket?: string }) : null;
  };
  const peerSocket = () => process.env.PEER_DOCKER_HOST!.replace(/^unix:\/\//, '');

  it('a session learns where the engine’s socket is; the next one’s connections go through the master’s forward', async () => {
    const undo = sessionEnv(env('run-fwd'));
    try {
      const first = await DockerBackend.open(parseHost(host()));
      try {
        await first.listContainers({ all: true });
        // the socket is remembered as soon as it is learnt; the master's forward of it (`ssh -O forward`) follows
        await until(
          () => record()?.socket === peerSocket() && readdirSync(kept()).some((f) => f.endsWith('.fwd')),
          20_000,
          50,
        );
      } finally {
        await first.close();
      }
      expect(readdirSync(kept()).filter((f) => f.endsWith('.fwd'))).toHaveLength(1);
      const second = await DockerBackend.open(parseHost(host()));
      try {
        const [list] = await Promise.all([
          second.listContainers({ all: true }),
          second.listImages(),
          second.listVolumes(),
          second.listNetworks(),
        ]);
        expect(Array.isArray(list)).toBe(true);
        expect(dialStdio()).toEqual([]);
      } finally {
        await second.close();
      }
      expect(mastersUnder(join(dir, 'run-fwd'))).toHaveLength(1);
    } finally {
      undo();
    }
  }, 60_000);

  it('the connections opened before the app’s code loads are the dialer’s; none for another host', async () => {
    const undo = sessionEnv(env('run-fwd'));
    try {
      const local = startEarly(['-H', host()]);
      expect(local).toMatch(/\.fwd$/);
      const b = await DockerBackend.open(parseHost(host()));
      try {
        await b.listContainers({ all: true });
        expect(takeEarly(local)).toEqual([]); // taken by the dialer
        expect(dialStdio()).toEqual([]);
      } finally {
        await b.close();
      }
      // DOCKER_HOST as well; not for a unix socket, nor when --context or --root names another engine
      expect(startEarly([], { ...process.env, DOCKER_HOST: host() })).toBe(local);
      for (const o of takeEarly(local)) o.sock.destroy();
      expect(startEarly(['-H', 'unix:///var/run/docker.sock'])).toBe('');
      expect(startEarly(['--context', 'x'], { ...process.env, DOCKER_HOST: host() })).toBe('');
      expect(startEarly(['--root', '/tmp/x'], { ...process.env, DOCKER_HOST: host() })).toBe('');
    } finally {
      undo();
    }
  }, 60_000);

  it('a forward to a socket the engine is no longer on: its connections go through dial-stdio, and the socket is asked again', async () => {
    const undo = sessionEnv(env('run-fwd'));
    try {
      const [f] = readdirSync(kept()).filter((n) => n.endsWith('.engine'));
      const was = JSON.parse(readFileSync(join(kept(), f!), 'utf8')) as { version: string; engine: object };
      writeFileSync(join(kept(), f!), JSON.stringify({ ...was, socket: '/nonexistent/docker.sock' }));
      const b = await DockerBackend.open(parseHost(host()));
      try {
        const list = await b.listContainers({ all: true });
        expect(Array.isArray(list)).toBe(true);
        await until(() => record() !== null && record()!.socket !== '/nonexistent/docker.sock', 20_000, 50);
      } finally {
        await b.close();
      }
    } finally {
      undo();
    }
  }, 60_000);

  it('a kept host that cannot be reached: one line and a non-zero exit', async () => {
    const dead = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const e = env('run-dead');
    const control = keptControl(e.BERTH_SSH, { user: 'root', host: '127.0.0.1', port: dead }, { ...process.env, ...e });
    // what a session learnt when the host was there: its version and socket (no master now)
    rememberEngine(control, { version: '1.41', engine: {}, socket: peerSocket() });
    const r = await berth({ env: e }, ['-H', `ssh://root@127.0.0.1:${dead}`, 'ps']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ssh:\/\/root@127\.0\.0\.1:\d+/);
    expect(mastersUnder(join(dir, 'run-dead'))).toEqual([]);
  }, 60_000);
});
