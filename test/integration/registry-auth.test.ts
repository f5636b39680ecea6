/**
 * Credentials and transport security against real registries: htpasswd
 * Basic auth, the token flow with the test bed's token server, docker's
 * config file (and a credential helper, and podman's auth.json), and HTTPS
 * verified with a CA from certs.d. Messages are docker's (compared with the
 * peer docker's where it says the same thing); no password ever shows.
 */
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { request as httpRequest } from 'node:http';
import { execFileSync } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmbeddedBackend } from '../../src/client/embedded.js';
import { execa } from 'execa';
import { berth, describeIf, fixture, peerSkipReason, REPO, tempRoot, type TempRoot } from '../helpers/env.js';
import { BB_ID } from '../helpers/facts.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushFixture } from '../helpers/registry-peers.js';

const bbTar = fixture('busybox.docker-save.tar');

describeIf(peerSkipReason())('Basic auth (htpasswd)', () => {
  let reg: TestRegistry;
  let t: TempRoot;
  let env: Record<string, string>;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'basic' });
    await pushFixture(reg, bbTar, 'a/bb:1');
    t = tempRoot('berth-basic-');
    env = { DOCKER_CONFIG: join(t.base, 'docker') };
  });
  afterAll(async () => {
    await reg?.stop();
    t?.cleanup();
  });

  it("without credentials, and with wrong ones: docker's messages, nothing saved", async () => {
    const r = await berth(t, ['pull', `${reg.host}/a/bb:1`], { env });
    expect([r.exitCode, r.stderr]).toEqual([
      1,
      `Error: Get "http://${reg.host}/v2/a/bb/manifests/1": no basic auth credentials\n`,
    ]);
    const bad = await berth(t, ['login', '-u', reg.user!, '--password-stdin', reg.host], {
      env,
      input: 'wrong-secret\n',
    });
    expect([bad.exitCode, bad.stderr]).toEqual([
      1,
      `Error: login attempt to http://${reg.host}/v2/ failed with status: 401 Unauthorized\n`,
    ]);
    expect(existsSync(join(env.DOCKER_CONFIG!, 'config.json'))).toBe(false);
  });

  it('login checks and saves (0600, base64 as docker writes it); pull and push work; logout forgets', async () => {
    const r = await berth(t, ['login', '-u', reg.user!, '--password-stdin', reg.host], {
      env,
      input: `${reg.password}\n`,
    });
    expect(r.exitCode).toBe(0);
    const file = join(env.DOCKER_CONFIG!, 'config.json');
    expect(r.stdout).toBe(
      `WARNING! Your password will be stored unencrypted in ${file}.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/engine/reference/commandline/login/#credentials-store\n\nLogin Succeeded\n`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    expect(cfg.auths[reg.host].auth).toBe(Buffer.from(`${reg.user}:${reg.password}`).toString('base64'));
    const pull = await berth(t, ['pull', `${reg.host}/a/bb:1`], { env });
    expect(pull.exitCode).toBe(0);
    await berth(t, ['tag', `${reg.host}/a/bb:1`, `${reg.host}/a/pushed:1`], { env });
    const push = await berth(t, ['push', `${reg.host}/a/pushed:1`], { env });
    expect(push.exitCode).toBe(0);
    expect(push.stdout).toMatch(/Mounted from a\/bb|Layer already exists|Pushed/);
    for (const out of [pull.stdout, pull.stderr, push.stdout, push.stderr, r.stderr])
      expect(out).not.toContain(reg.password!);
    const warn = await berth(t, ['login', '-u', reg.user!, '-p', reg.password!, reg.host], { env });
    expect(warn.stderr).toBe('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    expect((await berth(t, ['logout', reg.host], { env })).stdout).toBe(`Removing login credentials for ${reg.host}\n`);
    expect((await berth(t, ['logout', reg.host], { env })).stdout).toBe(`Not logged in to ${reg.host}\n`);
    expect(JSON.parse(readFileSync(file, 'utf8')).auths).toEqual({});
  });

  it('credentials for one pull (what the app asks for after a 401): UNAUTHORIZED without, nothing saved with', async () => {
    const prev = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = join(t.base, 'docker-none');
    const t2 = tempRoot('berth-auth-once-');
    const b = new EmbeddedBackend({ root: t2.root, runroot: t2.runroot });
    try {
      const drain = async (it: AsyncIterable<unknown>) => {
        for await (const _ of it) void _;
      };
      await expect(drain(b.pullImage(`${reg.host}/a/bb:1`))).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
      await drain(b.pullImage(`${reg.host}/a/bb:1`, { auth: { username: reg.user!, password: reg.password! } }));
      expect((await b.inspectImage(`${reg.host}/a/bb:1`)).Id).toBe(BB_ID);
      expect(existsSync(join(t.base, 'docker-none'))).toBe(false);
    } finally {
      await b.close();
      t2.cleanup();
      if (prev === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = prev;
    }
  });

  it('usage errors as docker words them', async () => {
    const a = await berth(t, ['login', '--password-stdin', reg.host], { env, input: 'x\n' });
    expect([a.exitCode, a.stderr.split('\n')[0]]).toEqual([
      125,
      'berth: Must provide --username with --password-stdin',
    ]);
    const b = await berth(t, ['login', reg.host], { env, input: '' });
    expect([b.exitCode, b.stderr]).toEqual([1, 'Error: Cannot perform an interactive login from a non TTY device\n']);
  });

  it("podman's auth.json is read too", async () => {
    const file = join(t.base, 'auth.json');
    writeFileSync(
      file,
      JSON.stringify({
        auths: { [reg.host]: { auth: Buffer.from(`${reg.user}:${reg.password}`).toString('base64') } },
      }),
    );
    const t2 = tempRoot('berth-podman-auth-');
    try {
      const r = await berth(t2, ['pull', `${reg.host}/a/bb:1`], {
        env: { DOCKER_CONFIG: join(t2.base, 'none'), REGISTRY_AUTH_FILE: file },
      });
      expect([r.exitCode, r.stderr]).toEqual([0, '']);
    } finally {
      t2.cleanup();
    }
  });

  it('a credential helper stores and gives the secret on stdin, never in its argv', async () => {
    const bin = join(t.base, 'bin');
    mkdirSync(bin, { recursive: true });
    const store = join(t.base, 'helper-store.json');
    const argvLog = join(t.base, 'helper-argv.log');
    // a docker-credential-* helper: store/get/erase on stdin and stdout, keeping one secret in a file
    writeFileSync(
      join(bin, 'docker-credential-berthtest'),
      `#!/bin/sh\necho "$0 $*" >> ${argvLog}\ncase "$1" in\n  store) cat > ${store} ;;\n  get) read server; if [ -f ${store} ]; then cat ${store}; else echo "credentials not found in native keychain"; exit 1; fi ;;\n  erase) read server; rm -f ${store} ;;\nesac\n`,
    );
    chmodSync(join(bin, 'docker-credential-berthtest'), 0o755);
    const dc = join(t.base, 'docker-helper');
    mkdirSync(dc);
    writeFileSync(join(dc, 'config.json'), JSON.stringify({ credsStore: 'berthtest' }));
    const henv = { DOCKER_CONFIG: dc, PATH: `${bin}:${process.env.PATH}` };
    const r = await berth(t, ['login', '-u', reg.user!, '--password-stdin', reg.host], {
      env: henv,
      input: reg.password!,
    });
    expect([r.exitCode, r.stdout]).toEqual([0, 'Login Succeeded\n']);
    expect(JSON.parse(readFileSync(store, 'utf8'))).toEqual({
      ServerURL: reg.host,
      Username: reg.user,
      Secret: reg.password,
    });
    expect(JSON.parse(readFileSync(join(dc, 'config.json'), 'utf8')).auths).toEqual({ [reg.host]: {} });
    const t2 = tempRoot('berth-helper-');
    try {
      expect((await berth(t2, ['pull', `${reg.host}/a/bb:1`], { env: henv })).exitCode).toBe(0);
    } finally {
      t2.cleanup();
    }
    expect((await berth(t, ['logout', reg.host], { env: henv })).exitCode).toBe(0);
    expect(existsSync(store)).toBe(false);
    const argv = readFileSync(argvLog, 'utf8');
    expect(argv).not.toContain(reg.password!);
    expect(
      argv
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ').slice(1).join(' ')),
    ).toEqual(expect.arrayContaining(['store', 'get', 'erase']));
  });
});

describeIf(peerSkipReason())('token auth', () => {
  let reg: TestRegistry;
  let t: TempRoot;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token' });
    await pushFixture(reg, bbTar, 'tok/bb:1');
    t = tempRoot('berth-token-');
  });
  afterAll(async () => {
    await reg?.stop();
    t?.cleanup();
  });

  it('anonymous: docker\'s "pull access denied"; with a login, pull and push; tokens cached per scope', async () => {
    const env = { DOCKER_CONFIG: join(t.base, 'docker') };
    const denied = await berth(t, ['pull', `${reg.host}/tok/bb:1`], { env });
    expect([denied.exitCode, denied.stderr]).toEqual([
      1,
      `Error: pull access denied for ${reg.host}/tok/bb, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n`,
    ]);
    const bad = await berth(t, ['login', '-u', reg.user!, '--password-stdin', reg.host], { env, input: 'nope' });
    expect(bad.stderr).toBe(`Error: Get "http://${reg.host}/v2/": unauthorized: incorrect username or password\n`);
    expect(
      (await berth(t, ['login', '-u', reg.user!, '--password-stdin', reg.host], { env, input: reg.password! }))
        .exitCode,
    ).toBe(0);
    // in one process: the second pull and the push's pull scope reuse the tokens
    const prev = process.env.DOCKER_CONFIG;
    process.env.DOCKER_CONFIG = env.DOCKER_CONFIG;
    const b = new EmbeddedBackend({ root: t.root, runroot: t.runroot });
    try {
      const drain = async (it: AsyncIterable<unknown>) => {
        for await (const _ of it) void _;
      };
      const before = reg.tokenServer!.requests;
      await drain(b.pullImage(`${reg.host}/tok/bb:1`));
      const afterFirst = reg.tokenServer!.requests;
      expect(afterFirst - before).toBe(1);
      await b.removeImage(`${reg.host}/tok/bb:1`, { force: true });
      await drain(b.pullImage(`${reg.host}/tok/bb:1`));
      expect(reg.tokenServer!.requests).toBe(afterFirst);
      expect((await b.inspectImage(`${reg.host}/tok/bb:1`)).Id).toBe(BB_ID);
      await b.tagImage(`${reg.host}/tok/bb:1`, `${reg.host}/tok/pushed:1`);
      await drain(b.pushImage(`${reg.host}/tok/pushed:1`));
      const scopes = reg.tokenServer!.log.slice(-1)[0]!.scopes;
      expect(scopes).toContain('repository:tok/pushed:pull,push');
    } finally {
      await b.close();
      if (prev === undefined) delete process.env.DOCKER_CONFIG;
      else process.env.DOCKER_CONFIG = prev;
    }
  });
});

/** This machine's own non-loopback IPv4 address (tests may reach it), or null. */
function ownAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return null;
}

describeIf(peerSkipReason() ?? (ownAddress() ? null : 'no non-loopback address on this machine'))(
  'HTTPS verified with a CA from certs.d',
  () => {
    let reg: TestRegistry;
    let server: Server;
    let host = '';
    let certsDir = '';
    let t: TempRoot;
    beforeAll(async () => {
      reg = await startRegistry();
      await pushFixture(reg, bbTar, 's/bb:1');
      t = tempRoot('berth-tls-');
      const ip = ownAddress()!;
      // a CA and a certificate for this machine's address (not loopback: docker and berth verify there)
      const d = join(t.base, 'pki');
      mkdirSync(d);
      const ssl = (...a: string[]) => execFileSync('openssl', a, { cwd: d, stdio: 'ignore' });
      ssl(
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.crt',
        '-days',
        '1',
        '-subj',
        '/CN=berth tls test CA',
      );
      ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', `/CN=${ip}`);
      writeFileSync(join(d, 'ext'), `subjectAltName=IP:${ip}\n`);
      ssl(
        'x509',
        '-req',
        '-in',
        'srv.csr',
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'srv.crt',
        '-days',
        '1',
        '-extfile',
        'ext',
      );
      // TLS in front of the plain registry
      const [upHost, upPort] = reg.host.split(':') as [string, string];
      server = createHttpsServer(
        { key: readFileSync(join(d, 'srv.key')), cert: readFileSync(join(d, 'srv.crt')) },
        (req, res) => {
          const up = httpRequest(
            { host: upHost, port: Number(upPort), method: req.method, path: req.url, headers: req.headers },
            (u) => {
              res.writeHead(u.statusCode ?? 502, u.headers);
              u.pipe(res);
            },
          );
          up.on('error', () => res.destroy());
          req.pipe(up);
        },
      );
      await new Promise<void>((r) => server.listen(0, ip, () => r()));
      host = `${ip}:${(server.address() as { port: number }).port}`;
      certsDir = join(t.base, 'certs.d');
      mkdirSync(join(certsDir, host), { recursive: true });
      writeFileSync(join(certsDir, host, 'ca.crt'), readFileSync(join(d, 'ca.crt')));
    });
    afterAll(async () => {
      server?.close();
      await reg?.stop();
      t?.cleanup();
    });

    it('an unknown CA is refused; the CA in certs.d is trusted; insecure-registries skips the check', async () => {
      const none = await berth(t, ['pull', `${host}/s/bb:1`], { env: { BERTH_CERTS_D: join(t.base, 'empty') } });
      expect([none.exitCode, none.stderr]).toEqual([
        1,
        `Error: Get "https://${host}/v2/s/bb/manifests/1": x509: certificate signed by unknown authority\n`,
      ]);
      const ok = await berth(t, ['pull', `${host}/s/bb:1`], { env: { BERTH_CERTS_D: certsDir } });
      expect([ok.exitCode, ok.stderr]).toEqual([0, '']);
      const cfg = join(t.base, 'xdg');
      mkdirSync(join(cfg, 'berth'), { recursive: true });
      writeFileSync(join(cfg, 'berth', 'config.json'), JSON.stringify({ registry: { 'insecure-registries': [host] } }));
      const t2 = tempRoot('berth-tls-insecure-');
      try {
        const r = await berth(t2, ['pull', `${host}/s/bb:1`], {
          env: { BERTH_CERTS_D: join(t.base, 'empty'), XDG_CONFIG_HOME: cfg },
        });
        expect([r.exitCode, r.stderr]).toEqual([0, '']);
      } finally {
        t2.cleanup();
      }
    });

    it("NODE_EXTRA_CA_CERTS: bin/berth's Node does not read it at its start; a TLS connection trusts it", async () => {
      const bin = join(REPO, 'bin', 'berth');
      const empty = { BERTH_CERTS_D: join(t.base, 'empty') };
      // Node itself warns at its start about a file it cannot read: here nothing reads it
      const unread = await execa(bin, ['images', '-q'], {
        env: { ...t.env, ...empty, NODE_EXTRA_CA_CERTS: join(t.base, 'no-such-bundle.pem') },
        reject: false,
      });
      expect([unread.exitCode, unread.stderr]).toEqual([0, '']);
      const t2 = tempRoot('berth-extra-ca-');
      try {
        const extra = { ...t2.env, ...empty, NODE_EXTRA_CA_CERTS: join(t.base, 'pki', 'ca.crt') };
        // the registry client (manifest, blobs) trusts the CA ...
        const pulled = await execa(bin, ['pull', '-q', `${host}/s/bb:1`], { env: extra, reject: false });
        expect([pulled.exitCode, pulled.stderr]).toEqual([0, '']);
        // ... and so does a build's ADD of a URL (Node's fetch)
        const ctx = join(t2.base, 'ctx');
        mkdirSync(ctx);
        writeFileSync(
          join(ctx, 'Dockerfile'),
          `FROM ${host}/s/bb:1\nADD https://${host}/v2/s/bb/blobs/${BB_ID} /config.json\n`,
        );
        const built = await execa(bin, ['build', '-q', '-t', 'extra-ca:1', ctx], { env: extra, reject: false });
        expect([built.exitCode, built.stderr]).toEqual([0, '']);
        // without it, the same certificate is refused
        const refused = await execa(bin, ['pull', '-q', `${host}/s/bb:1`], {
          env: { ...t2.env, BERTH_ROOT: join(t2.base, 'other'), ...empty },
          reject: false,
        });
        expect([refused.exitCode, refused.stderr]).toEqual([
          1,
          `Error: Get "https://${host}/v2/s/bb/manifests/1": x509: certificate signed by unknown authority`,
        ]);
      } finally {
        t2.cleanup();
      }
    });
  },
);
