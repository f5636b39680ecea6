/**
 * Choosing the host: DOCKER_HOST and -H, docker contexts (--context,
 * DOCKER_CONTEXT, the config's currentContext; "default" is the embedded
 * engine), TCP with TLS (DOCKER_TLS_VERIFY/DOCKER_CERT_PATH, and a
 * context's TLS material) through a TLS endpoint in front of the peer
 * dockerd that demands a client certificate from the test's CA, and
 * ssh://root@127.0.0.1 to a private sshd with a key this test makes, the
 * remote side running `docker system dial-stdio`; an ssh link killed
 * mid-follow ends the command with one line.
 */
import { execa } from 'execa';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { until } from '../helpers/engine.js';
import {
  berth,
  CLI,
  describeIf,
  fixture,
  peerDocker,
  peerSkipReason,
  REPO,
  tempRoot,
  type TempRoot,
} from '../helpers/env.js';
import { makeCerts } from '../helpers/registry-certs.js';
import { killKeptMasters, mastersUnder } from '../helpers/ssh-masters.js';

const mark = `i18h${process.pid}`;
/** This test's container only (other suites use the peer at the same time). */
const psFormat = ['ps', '-a', '--filter', `name=${mark}`, '--format', '{{.ID}} {{.Names}} {{.Image}}'];

describeIf(peerSkipReason())('choosing a remote host', () => {
  const peerSocket = () => process.env.PEER_DOCKER_HOST!.slice('unix://'.length);
  let dir = '';
  let local: TempRoot;
  let tls: Server;
  let tlsPort = 0;
  let theirs = '';

  /** berth with only the environment given (no BERTH_ROOT: the host decides). */
  const run = (args: string[], env: Record<string, string> = {}) =>
    berth({ env: { DOCKER_CONFIG: join(dir, 'docker-config'), ...env } }, args);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-hosts-'));
    local = tempRoot('berth-hosts-local-');
    await peerDocker(['rm', '-f', mark]);
    expect((await peerDocker(['create', '--name', mark, 'bb:latest', 'true'])).exitCode).toBe(0);
    theirs = (await peerDocker(psFormat)).stdout.trim();
    expect(theirs).toMatch(new RegExp(` ${mark} bb:latest$`));
    // a CA, the endpoint's certificate, and a client certificate it signed
    const certs = makeCerts(join(dir, 'ca'));
    const ca = join(dir, 'ca');
    const ssl = (args: string[]) => execFileSync('openssl', args, { cwd: ca, stdio: ['ignore', 'ignore', 'pipe'] });
    ssl(['genrsa', '-out', 'client.key', '2048']);
    ssl(['req', '-new', '-key', 'client.key', '-subj', '/CN=berth client', '-out', 'client.csr']);
    writeFileSync(join(ca, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
    ssl([
      'x509',
      '-req',
      '-in',
      'client.csr',
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-days',
      '2',
      '-extfile',
      'client.ext',
      '-out',
      'client.crt',
    ]);
    const certPath = join(dir, 'certs');
    mkdirSync(certPath);
    copyFileSync(certs.caFile, join(certPath, 'ca.pem'));
    copyFileSync(join(ca, 'client.crt'), join(certPath, 'cert.pem'));
    copyFileSync(join(ca, 'client.key'), join(certPath, 'key.pem'));
    tls = createTlsServer(
      {
        key: readFileSync(certs.serverKey),
        cert: readFileSync(certs.serverCert),
        ca: readFileSync(certs.caFile),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (s) => {
        const up = connect(peerSocket());
        s.pipe(up).pipe(s);
        s.on('error', () => up.destroy());
        up.on('error', () => s.destroy());
      },
    );
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    tlsPort = (tls.address() as AddressInfo).port;

    // contexts: one on the peer's socket, one on the TLS endpoint with its material in the store
    const store = join(dir, 'docker-config');
    const context = (name: string, host: string, tlsFiles: boolean) => {
      const hash = createHash('sha256').update(name).digest('hex');
      mkdirSync(join(store, 'contexts', 'meta', hash), { recursive: true });
      writeFileSync(
        join(store, 'contexts', 'meta', hash, 'meta.json'),
        JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } }),
      );
      if (tlsFiles) {
        const t = join(store, 'contexts', 'tls', hash, 'docker');
        mkdirSync(t, { recursive: true });
        for (const f of ['ca.pem', 'cert.pem', 'key.pem']) copyFileSync(join(certPath, f), join(t, f));
      }
    };
    context('peer', process.env.PEER_DOCKER_HOST!, false);
    context('peer-tls', `tcp://127.0.0.1:${tlsPort}`, true);
  }, 60_000);
  afterAll(async () => {
    await peerDocker(['rm', '-f', mark]);
    await new Promise<void>((resolve) => (tls ? tls.close(() => resolve()) : resolve()));
    local?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('DOCKER_HOST, and -H over it', async () => {
    const r = await run(psFormat, { DOCKER_HOST: process.env.PEER_DOCKER_HOST! });
    expect(r.stdout.trim()).toBe(theirs);
    const bad = await run(['-H', process.env.PEER_DOCKER_HOST!, ...psFormat], { DOCKER_HOST: 'unix:///nonexistent' });
    expect(bad.stdout.trim()).toBe(theirs);
  });

  it('contexts: --context, DOCKER_CONTEXT, the current context, "default" the embedded engine', async () => {
    expect((await run(['--context', 'peer', ...psFormat])).stdout.trim()).toBe(theirs);
    expect((await run(psFormat, { DOCKER_CONTEXT: 'peer' })).stdout.trim()).toBe(theirs);
    writeFileSync(join(dir, 'docker-config', 'config.json'), JSON.stringify({ currentContext: 'peer' }));
    try {
      expect((await run(psFormat)).stdout.trim()).toBe(theirs);
      // --root names the embedded engine's store: no context is asked (the monitor's exit hook runs so)
      const mine = await run(['--root', local.root, '--runroot', local.runroot, 'version']);
      expect(mine.stdout).toMatch(/Engine:\s+embedded/);
      const def = await run(['--context', 'default', '--root', local.root, 'version']);
      expect(def.stdout).toMatch(/Engine:\s+embedded/);
    } finally {
      rmSync(join(dir, 'docker-config', 'config.json'));
    }
    const none = await run(['--context', 'nothing', 'ps']);
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toBe('Error: context "nothing": context not found\n');
  });

  it('the native launcher leaves a run for another engine to Node, which runs it there', async () => {
    const bin = join(REPO, 'bin', 'berth');
    const env = { ...local.env, DOCKER_CONFIG: join(dir, 'docker-config') };
    const refused = await execa(bin, ['run', '--rm', 'bb:latest', 'true'], {
      env: { ...env, DOCKER_HOST: process.env.PEER_DOCKER_HOST!, BERTH_NATIVE_RUN: 'only' },
      reject: false,
    });
    expect(refused.exitCode).toBe(125);
    expect(String(refused.stderr)).toMatch(/another engine is named/);
    const ran = await execa(bin, ['run', '--rm', '--name', `${mark}-run`, 'bb:latest', 'echo', 'on the peer'], {
      env: { ...env, DOCKER_CONTEXT: 'peer' },
      reject: false,
    });
    expect([ran.exitCode, String(ran.stdout)]).toEqual([0, 'on the peer']);
    // and with --root the launcher and the embedded engine are used, whatever the environment says
    const mine = await execa(bin, ['--root', local.root, '--runroot', local.runroot, 'ps', '-a', '-q'], {
      env: { ...env, DOCKER_HOST: 'unix:///nonexistent' },
      reject: false,
    });
    expect([mine.exitCode, String(mine.stdout)]).toEqual([0, '']);
  });

  it('tcp:// with TLS from DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, and from a context', async () => {
    const host = `tcp://127.0.0.1:${tlsPort}`;
    const env = { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'certs') };
    expect((await run(['-H', host, ...psFormat], env)).stdout.trim()).toBe(theirs);
    expect((await run(psFormat, { ...env, DOCKER_HOST: host })).stdout.trim()).toBe(theirs);
    expect((await run(['--context', 'peer-tls', ...psFormat])).stdout.trim()).toBe(theirs);
    expect((await run(['--context', 'peer-tls', 'version'])).stdout).toMatch(/Host:\s+peer-tls \(tcp:\/\/127/);
    // without TLS the endpoint refuses: one line, no hang
    const plain = await run(['-H', host, 'ps']);
    expect(plain.exitCode).toBe(1);
    expect(plain.stderr.trim().split('\n')).toHaveLength(1);
    // a certificate path without the files
    const missing = await run(['-H', host, 'ps'], { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(dir, 'nothing') });
    expect(missing.stderr).toMatch(/^Error: could not read TLS material .*ca\.pem/);
  });
});

describeIf(peerSkipReason())('ssh://root@127.0.0.1 to a private sshd', () => sshSuite(false));
describeIf(peerSkipReason())('ssh:// to a host with podman and no docker', () => sshSuite(true));

/** A test that belongs to the other variant of the suite: not defined there (nothing is skipped). */
const only =
  (on: boolean) =>
  (name: string, fn: () => Promise<void>, timeout?: number): void => {
    if (on) it(name, fn, timeout);
  };

function sshSuite(podmanOnly: boolean) {
  let dir = '';
  let sshd: ChildProcess | null = null;
  let service: ReturnType<typeof execa> | null = null;
  let port = 0;
  // the link berth keeps for the next command (ssh-master.ts) in this test's directory
  const sshEnv = () => ({
    BERTH_SSH: join(dir, 'ssh'),
    DOCKER_CONFIG: join(dir, 'docker-config'),
    XDG_RUNTIME_DIR: join(dir, 'run'),
    // the dialer's private directory too (another test's may come and go in the system's meanwhile)
    TMPDIR: join(dir, 'tmp'),
  });
  const host = () => `ssh://root@127.0.0.1:${port}`;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-sshd-'));
    mkdirSync(join(dir, 'run'));
    mkdirSync(join(dir, 'tmp'));
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'host_key')]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'id')]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id.pub')));
    chmodSync(join(dir, 'authorized_keys'), 0o600);
    port = await new Promise<number>((resolve) => {
      const s = createTcpServer().listen(0, '127.0.0.1', () => {
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
        // the remote docker CLI talks to the peer dockerd; a podman-only host (no docker on PATH) has
        // podman's service on a socket of the test's
        podmanOnly
          ? `SetEnv PATH=${join(dir, 'bin')} CONTAINER_HOST=unix://${join(dir, 'podman.sock')}`
          : `SetEnv DOCKER_HOST=${process.env.PEER_DOCKER_HOST!}`,
        '',
      ].join('\n'),
    );
    // the client: the user's ssh with this test's key and known hosts (as ~/.ssh/config would give them)
    writeFileSync(
      join(dir, 'ssh_config'),
      [
        'Host *',
        `  IdentityFile ${join(dir, 'id')}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${join(dir, 'known_hosts')}`,
        '  StrictHostKeyChecking accept-new',
        '  BatchMode yes',
        '',
      ].join('\n'),
    );
    writeFileSync(join(dir, 'ssh'), `#!/bin/sh\nexec ssh -F ${join(dir, 'ssh_config')} "$@"\n`);
    chmodSync(join(dir, 'ssh'), 0o755);
    if (podmanOnly) {
      mkdirSync(join(dir, 'bin'));
      symlinkSync(process.env.PEER_PODMAN ?? '/usr/bin/podman', join(dir, 'bin', 'podman'));
      service = execa(
        process.env.PEER_PODMAN ?? 'podman',
        ['system', 'service', '--time=0', `unix://${join(dir, 'podman.sock')}`],
        { reject: false },
      );
      await until(() => existsSync(join(dir, 'podman.sock')), 30_000, 100);
    }
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
  afterAll(async () => {
    await peerDocker(['rm', '-f', mark]);
    killKeptMasters(join(dir, 'run'));
    sshd?.kill('SIGTERM');
    service?.kill('SIGTERM');
    await service;
    rmSync(dir, { recursive: true, force: true });
  });

  only(!podmanOnly)('the commands over ssh -- HOST docker system dial-stdio', async () => {
    await peerDocker(['rm', '-f', mark]);
    expect((await peerDocker(['create', '--name', mark, 'bb:latest', 'true'])).exitCode).toBe(0);
    const theirs = (await peerDocker(psFormat)).stdout.trim();
    expect(theirs).not.toBe('');
    const r = await berth({ env: sshEnv() }, ['-H', host(), ...psFormat]);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(theirs);
    const v = await berth({ env: sshEnv() }, ['-H', host(), 'version']);
    expect(v.stdout).toMatch(/Engine:\s+docker 20\.10/);
    // no port of the dialer's: its socket is in a private directory, gone with the command (the kept
    // link's is in XDG_RUNTIME_DIR)
    expect(readdirSync(join(dir, 'tmp')).filter((f) => f.startsWith('berth-ssh-'))).toEqual([]);
    // and the masters of the session's own links (ssh's ControlMaster, in the background) with it
    expect(mastersUnder(join(dir, 'tmp'))).toEqual([]);
  });

  only(podmanOnly)('podman’s service over the same link', async () => {
    const v = await berth({ env: sshEnv() }, ['-H', host(), 'version']);
    expect(v.stdout).toMatch(/Engine:\s+podman /);
    const l = await berth({ env: sshEnv() }, ['-H', host(), 'load', '-i', fixture('busybox.docker-save.tar')]);
    expect(l.stdout).toMatch(/^Loaded image: /);
    const r = await berth({ env: sshEnv() }, ['-H', host(), 'run', '--rm', 'bb:latest', 'echo', 'podman over ssh']);
    expect([r.exitCode, r.stdout]).toEqual([0, 'podman over ssh\n']);
  });

  only(!podmanOnly)('a refused key or host: one line, exit 1', async () => {
    const r = await berth({ env: { ...sshEnv(), BERTH_SSH: 'ssh' } }, [
      '-H',
      `ssh://nobody-${process.pid}@127.0.0.1:${port}`,
      'ps',
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^Error: (Cannot connect|lost the connection) to the engine at ssh:\/\//);
  });

  only(!podmanOnly)(
    'the ssh link killed mid-follow: one line, no hang',
    async () => {
      const name = `i18ssh${process.pid}`;
      await peerDocker(['rm', '-f', name]);
      expect(
        (await peerDocker(['run', '-d', '--name', name, 'bb:latest', 'sh', '-c', 'echo ready; sleep 600'])).exitCode,
      ).toBe(0);
      try {
        const p = execa('node', [CLI, '-H', host(), 'logs', '-f', name], { env: sshEnv(), reject: false });
        let out = '';
        p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
        await until(() => out.includes('ready'), 20_000);
        // the sessions of this test's sshd: its children
        const sessions = readdirSync('/proc')
          .filter((f) => /^\d+$/.test(f))
          .filter((pid) => {
            try {
              return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1] === String(sshd!.pid);
            } catch {
              return false;
            }
          });
        expect(sessions.length).toBeGreaterThan(0);
        for (const pid of sessions) process.kill(Number(pid), 'SIGKILL');
        const r = await p;
        expect(r.exitCode).toBe(1);
        expect(String(r.stderr).trim().split('\n')).toHaveLength(1);
        expect(String(r.stderr)).toMatch(/^Error: lost the connection to the engine at ssh:\/\//);
      } finally {
        await peerDocker(['rm', '-f', name]);
      }
    },
    60_000,
  );
}
