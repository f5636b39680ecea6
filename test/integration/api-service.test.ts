/**
 * The API service's own rules, played by an attacker: who may open its
 * socket, that TCP needs TLS with client certificates (or an explicit
 * --insecure), that bad bodies and climbing archives are refused with 400
 * and nothing written, that floods and slow clients are cut off without
 * stopping it, that it answers a thousand requests at once without losing an
 * event, that it exits when idle (and never with --time 0), and that it takes
 * a socket from systemd.
 */
import { execFileSync } from 'node:child_process';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { afterAll, beforeAll, expect } from 'vitest';
import { tarBuffer } from '../helpers/archives.js';
import { berth, describeIf, fixture, itIf, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { call, json, spawnService, type Reply, type ServiceProc } from '../helpers/service-proc.js';

/** Every path under `dir` whose name contains `token`. */
function findNamed(dir: string, token: string, out: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = join(dir, n);
    if (n.includes(token)) out.push(p);
    try {
      if (statSync(p).isDirectory() && !statSync(p).isSymbolicLink()) findNamed(p, token, out);
    } catch {
      /* gone */
    }
  }
  return out;
}

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makeCerts(dir: string): Record<'ca' | 'cert' | 'key' | 'clientCert' | 'clientKey', string> {
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => join(dir, n);
  const ssl = (...a: string[]) => execFileSync('openssl', a, { cwd: dir, stdio: 'ignore' });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...key, '-days', '2', '-subj', '/CN=berth test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem');
  for (const [who, ext] of [
    ['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n'],
    ['client', 'extendedKeyUsage=clientAuth\n'],
  ] as const) {
    writeFileSync(f(`${who}.ext`), ext);
    ssl('req', ...key, '-subj', `/CN=${who}`, '-keyout', `${who}-key.pem`, '-out', `${who}.csr`);
    ssl(
      ...['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial'],
      ...['-days', '2', '-extfile', `${who}.ext`, '-out', `${who}.pem`],
    );
  }
  return {
    ca: f('ca.pem'),
    cert: f('server.pem'),
    key: f('server-key.pem'),
    clientCert: f('client.pem'),
    clientKey: f('client-key.pem'),
  };
}

describeIf(skipReason())('berth system service: its own rules against an attacker', () => {
  let t: TempRoot;
  let svc: ServiceProc;
  let sock: string;
  const on = () => ({ socketPath: sock });

  beforeAll(async () => {
    t = tempRoot('berth-api-service-');
    expect((await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
    sock = join(t.runroot, 'docker.sock');
    svc = spawnService(t, ['--time', '0', `unix://${sock}`], { env: { XDG_CONFIG_HOME: join(t.base, 'cfg') } });
    expect(await svc.waitLog(/serving the Docker Engine API/)).not.toBeNull();
  }, 60_000);

  afterAll(async () => {
    await svc?.stop();
    t?.cleanup();
  });

  itIf(null)('the unix socket is 0600 without a group, 0660 owned by the group named in the config', async () => {
    const st = statSync(sock);
    expect([st.mode & 0o777, st.uid]).toEqual([0o600, 0]);
    const cfg = join(t.base, 'cfg-group');
    mkdirSync(join(cfg, 'berth'), { recursive: true });
    writeFileSync(join(cfg, 'berth', 'config.json'), JSON.stringify({ service: { group: 'daemon' } }));
    const other = join(t.base, 'group.sock');
    const g = spawnService(t, ['--time', '0', `unix://${other}`], { env: { XDG_CONFIG_HOME: cfg } });
    try {
      expect(await g.waitLog(/serving the Docker Engine API/)).not.toBeNull();
      const gs = statSync(other);
      expect([gs.mode & 0o777, gs.uid, gs.gid]).toEqual([0o660, 0, 1]);
      expect((await call({ socketPath: other }, 'GET', '/_ping')).body).toBe('OK');
    } finally {
      await g.stop();
    }
  });

  itIf(null)('tcp:// without TLS is refused; --insecure serves it with a warning', async () => {
    const refused = spawnService(t, ['--time', '0', 'tcp://127.0.0.1:0']);
    try {
      const code = await refused.exited(20_000);
      expect(code).toEqual(expect.any(Number));
      expect(code).not.toBe(0);
      expect(refused.log()).toMatch(/tcp:\/\/ needs TLS with client verification/);
      expect(refused.log().trim().split('\n')).toHaveLength(1);
    } finally {
      await refused.stop();
    }
    const open = spawnService(t, ['--time', '0', '--insecure', 'tcp://127.0.0.1:0']);
    try {
      const m = await open.waitLog(/serving the Docker Engine API on tcp:\/\/127\.0\.0\.1:(\d+)/);
      expect(m).not.toBeNull();
      expect(open.log()).toMatch(/^WARNING: the API is served on tcp:\/\/127\.0\.0\.1:\d+ without TLS/m);
      const r = await call({ host: '127.0.0.1', port: Number(m![1]) }, 'GET', '/_ping');
      expect([r.status, r.body]).toEqual([200, 'OK']);
    } finally {
      await open.stop();
    }
  });

  itIf(null)('TLS with client verification refuses a client without a certificate', async () => {
    const c = makeCerts(join(t.base, 'certs'));
    const tls = spawnService(t, [
      ...['--time', '0', '--tlsverify', '--tlscacert', c.ca, '--tlscert', c.cert, '--tlskey', c.key],
      'tcp://127.0.0.1:0',
    ]);
    try {
      const m = await tls.waitLog(/serving the Docker Engine API on tcp:\/\/127\.0\.0\.1:(\d+)/);
      expect(m).not.toBeNull();
      expect(tls.log()).not.toMatch(/WARNING/);
      const port = Number(m![1]);
      const ca = readFileSync(c.ca);
      /** A raw GET /_ping over TLS: what came back, or the error that ended it. */
      const ping = (certs: { cert?: Buffer; key?: Buffer }) =>
        new Promise<string>((resolve) => {
          let got = '';
          const s = tlsConnect({ host: '127.0.0.1', port, ca, servername: '127.0.0.1', ...certs }, () =>
            s.write('GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
          );
          s.setTimeout(10_000, () => s.destroy(new Error('timed out')));
          s.on('data', (d) => (got += d));
          s.on('error', (e) => resolve(`error: ${e.message}`));
          s.on('close', () => resolve(got));
        });
      const without = await ping({});
      expect(without).not.toMatch(/200 OK/);
      expect(without).not.toMatch(/\r\n\r\nOK$/);
      const withCert = await ping({ cert: readFileSync(c.clientCert), key: readFileSync(c.clientKey) });
      expect(withCert).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nOK$/);
      // a plain-TCP client gets nothing either
      const plain = await call({ host: '127.0.0.1', port }, 'GET', '/_ping').catch((e: Error) => e.message);
      expect(plain).not.toHaveProperty('status', 200);
    } finally {
      await tls.stop();
    }
  });

  itIf(null)("bad bodies get 400 with docker's message and no container is made", async () => {
    const create = (name: string, opts: Parameters<typeof call>[3]) =>
      call(on(), 'POST', `/v1.41/containers/create?name=${name}`, opts);
    const cases: [string, Parameters<typeof call>[3], RegExp][] = [
      [
        'big-declared',
        { headers: { 'Content-Type': 'application/json', 'Content-Length': 5 * 1024 * 1024 }, body: '' },
        /larger than/,
      ],
      [
        'big-chunked',
        json(JSON.stringify({ Image: 'bb', Cmd: ['true'], Env: ['X=' + 'x'.repeat(5 * 1024 * 1024)] })),
        /larger than/,
      ],
      ['bad-json', json('{"Image": "bb", "Cmd": ["true"'), /invalid JSON|unexpected|parse/i],
      ['not-an-object', json('[1,2,3]'), /./],
      ['image-number', json({ Image: 5, Cmd: ['true'] }), /./],
      ['cmd-number', json({ Image: 'bb', Cmd: 7 }), /./],
      ['env-object', json({ Image: 'bb', Cmd: ['true'], Env: { A: 1 } }), /./],
      ['memory-string', json({ Image: 'bb', Cmd: ['true'], HostConfig: { Memory: 'lots' } }), /./],
    ];
    for (const [name, opts, msg] of cases) {
      const r = await create(name, opts).catch((e: Error) => ({
        status: -1,
        body: e.message,
        headers: {} as Reply['headers'],
      }));
      expect([name, r.status, r.body.slice(0, 200)]).toEqual([name, 400, expect.stringMatching(/^\{"message"/)]);
      // a body refused before its end is not read on: the connection closes
      if (/^big/.test(name)) expect([name, r.headers.connection]).toEqual([name, 'close']);
      const doc = JSON.parse(r.body) as { message: unknown };
      expect(Object.keys(doc)).toEqual(['message']);
      expect(doc.message).toMatch(msg);
      expect(String(doc.message)).not.toContain('\n');
    }
    const all = await call(on(), 'GET', '/v1.41/containers/json?all=1');
    expect(JSON.parse(all.body)).toEqual([]);
    expect((await berth(t, ['ps', '-aq'])).stdout.trim()).toBe('');
  });

  itIf(null)('an archive PUT whose path or entries climb out is refused and writes nothing outside', async () => {
    const made = await call(
      on(),
      'POST',
      '/v1.41/containers/create?name=cp-target',
      json({ Image: 'bb', Cmd: ['true'] }),
    );
    expect(made.status).toBe(201);
    const id = (JSON.parse(made.body) as { Id: string }).Id;
    const token = `escaped-${process.pid}`;
    const put = (path: string, body: Buffer) =>
      call(on(), 'PUT', `/v1.41/containers/${id}/archive?path=${encodeURIComponent(path)}`, {
        headers: { 'Content-Type': 'application/x-tar' },
        body,
      });
    const plain = await tarBuffer([{ h: { name: `${token}-a`, type: 'file', mode: 0o644 }, data: 'x' }]);
    for (const path of ['../../', '/../../tmp', 'tmp/../../../etc']) {
      const r = await put(path, plain);
      expect([path, r.status]).toEqual([path, 400]);
      expect(Object.keys(JSON.parse(r.body) as object)).toEqual(['message']);
    }
    for (const name of [`../../${token}-b`, `../../../../../../tmp/${token}-c`, `x/../../../${token}-d`]) {
      const tar = await tarBuffer([
        { h: { name: `${token}-first`, type: 'file', mode: 0o644 }, data: 'x' },
        { h: { name, type: 'file', mode: 0o644 }, data: 'x' },
      ]);
      const r = await put('/tmp', tar);
      expect([name, r.status]).toEqual([name, 400]);
      expect(Object.keys(JSON.parse(r.body) as object)).toEqual(['message']);
    }
    expect(findNamed(t.base, token)).toEqual([]);
    expect(findNamed('/tmp', token).filter((p) => !p.startsWith(t.base))).toEqual([]);
    // a symlink entry that points at a host directory, then a file written through it: it stays in the container
    const outside = join(t.base, 'outside');
    mkdirSync(outside);
    const viaLink = await tarBuffer([
      { h: { name: 'out', type: 'symlink', linkname: outside } },
      { h: { name: `out/${token}-e`, type: 'file', mode: 0o644 }, data: 'x' },
    ]);
    await put('/tmp', viaLink);
    expect(findNamed(outside, token)).toEqual([]);
    expect(findNamed('/tmp', token).filter((p) => !p.startsWith(t.base))).toEqual([]);
    // and a good archive still goes in
    expect((await put('/tmp', plain)).status).toBe(200);
    expect(findNamed(t.base, token).length).toBeGreaterThan(0);
  });

  itIf(null)(
    'a header flood and slow clients are cut off by timeouts, and the service keeps answering',
    async () => {
      // a service of its own whose deadlines for slow clients are 3 s, not 20 s and 60 s (deadlines.ts), so
      // that the test waits seconds: the rules are the same
      const slowSock = join(t.base, 'slow.sock');
      const slow = spawnService(t, ['--time', '0', `unix://${slowSock}`], {
        env: { XDG_CONFIG_HOME: join(t.base, 'cfg'), BERTH_API_SLOW_CLIENT_MS: '3000' },
      });
      expect(await slow.waitLog(/serving the Docker Engine API/)).not.toBeNull();
      const onSlow = () => ({ socketPath: slowSock });
      try {
        /** A raw connection that sends `first`, optionally trickles more; resolves with what came back when it closes. */
        const raw = (first: string, trickle?: string) =>
          new Promise<{ got: string; closed: boolean }>((resolve) => {
            let got = '';
            const s: Socket = netConnect(slowSock, () => s.write(first));
            let n = 0;
            // one header byte every 250 ms, at most 240 of them (a minute): never a whole head
            const drip = trickle ? setInterval(() => n++ < 240 && s.write(trickle), 250) : null;
            const guard = setTimeout(() => {
              s.destroy();
              resolve({ got, closed: false });
            }, 90_000);
            s.on('data', (d) => (got += d));
            s.on('error', () => undefined);
            s.on('close', () => {
              if (drip) clearInterval(drip);
              clearTimeout(guard);
              resolve({ got, closed: true });
            });
          });
        // a head bigger than the limit: 431 at once, connection closed
        const flood = raw('GET /_ping HTTP/1.1\r\nHost: x\r\n' + `X-A: ${'b'.repeat(100)}\r\n`.repeat(200) + '\r\n');
        // half a request head, then silence
        const half = raw('GET /_ping HTTP/1.1\r\nHost: x\r\n');
        // a head sent a byte at a time, slower than the deadline
        const trickle = raw('GET /_ping HTTP/1.1\r\n', 'X');
        // a body promised and never sent
        const body = raw(
          'POST /v1.41/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"Ima',
        );
        const f = await flood;
        expect(f.closed).toBe(true);
        expect(f.got).toMatch(/^HTTP\/1\.1 431 /);
        // while the slow ones hang on, others are served
        expect((await call(onSlow(), 'GET', '/_ping')).body).toBe('OK');
        for (const [what, p] of [
          ['half head', half],
          ['trickled head', trickle],
          ['unsent body', body],
        ] as const) {
          const r = await p;
          expect([what, r.closed]).toEqual([what, true]);
          expect(r.got).not.toMatch(/^HTTP\/1\.1 200 /);
        }
        expect((await call(onSlow(), 'GET', '/_ping')).body).toBe('OK');
        expect(slow.proc.exitCode).toBeNull();
        expect(
          JSON.parse((await call(onSlow(), 'GET', '/v1.41/containers/json?all=1&filters={"name":["^/probe$"]}')).body),
        ).toEqual([]);
      } finally {
        await slow.stop();
      }
    },
    120_000,
  );

  itIf(null)(
    'a thousand requests at once all answer while an events stream drops no event',
    async () => {
      // the events stream, filtered to container creations
      const events: string[] = [];
      const filters = encodeURIComponent(JSON.stringify({ type: ['container'], event: ['create'] }));
      const ac = new AbortController();
      const stream = new Promise<void>((resolve, reject) => {
        const req = request(
          { socketPath: sock, path: `/v1.41/events?filters=${filters}`, signal: ac.signal },
          (res) => {
            expect(res.statusCode).toBe(200);
            let buf = '';
            res.on('data', (d) => {
              buf += d;
              const lines = buf.split('\n');
              buf = lines.pop()!;
              for (const l of lines) if (l.trim()) events.push((JSON.parse(l) as { id: string }).id);
            });
            res.on('error', () => resolve());
            res.on('close', () => resolve());
            resolve();
          },
        );
        req.on('error', (e) => (e.name === 'AbortError' ? resolve() : reject(e)));
        req.end();
      });
      await stream;
      // 1,000 requests, each on its own connection, all sent before any answer is awaited
      const paths = Array.from({ length: 1000 }, (_, i) => (i % 2 ? '/_ping' : '/v1.41/containers/json?all=1'));
      const flight = paths.map((p) =>
        call({ socketPath: sock, agent: false }, 'GET', p).then(
          (r) => r.status,
          (e: Error) => e.message,
        ),
      );
      // containers made meanwhile
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) {
        const r = await call(
          on(),
          'POST',
          `/v1.41/containers/create?name=burst-${i}`,
          json({ Image: 'bb', Cmd: ['true'] }),
        );
        expect(r.status).toBe(201);
        ids.push((JSON.parse(r.body) as { Id: string }).Id);
      }
      const statuses = await Promise.all(flight);
      expect(statuses.filter((s) => s !== 200)).toEqual([]);
      // every creation reaches the stream (bounded wait: 15 s)
      for (let i = 0; i < 150 && ids.some((id) => !events.includes(id)); i++) await sleep(100);
      ac.abort();
      expect(ids.filter((id) => !events.includes(id))).toEqual([]);
      expect(events.filter((id) => ids.includes(id))).toHaveLength(20);
    },
    120_000,
  );

  itIf(null)('the service exits after --time seconds without a connection; --time 0 never does', async () => {
    const idle = spawnService(t, ['--time', '1', `unix://${join(t.base, 'idle.sock')}`]);
    const forever = spawnService(t, ['--time', '0', `unix://${join(t.base, 'forever.sock')}`]);
    try {
      expect(await idle.waitLog(/exits after 1 s without a connection/)).not.toBeNull();
      expect(await idle.exited(20_000)).toBe(0);
      expect(existsSync(join(t.base, 'idle.sock'))).toBe(false);
      expect(await forever.waitLog(/serving the Docker Engine API/)).not.toBeNull();
      // well past any idle limit the other would have had
      expect(await forever.exited(4_000)).toBeNull();
      expect((await call({ socketPath: join(t.base, 'forever.sock') }, 'GET', '/_ping')).body).toBe('OK');
    } finally {
      await idle.stop();
      await forever.stop();
    }
  });

  itIf(null)('a socket passed by systemd (LISTEN_FDS, fd 3) answers /_ping', async () => {
    const path = join(t.base, 'activated.sock');
    // systemd-socket-activate listens, then execs the service with fd 3, LISTEN_FDS=1 and LISTEN_PID its own pid
    const act = spawnService(t, ['--time', '0'], { wrap: ['systemd-socket-activate', '-l', path] });
    try {
      for (let i = 0; i < 250 && !existsSync(path); i++) await sleep(20);
      const r = await call({ socketPath: path }, 'GET', '/_ping');
      expect([r.status, r.body, r.headers['api-version']]).toEqual([200, 'OK', expect.stringMatching(/^1\.4\d$/)]);
      expect(await act.waitLog(/serving the Docker Engine API on fd 3/)).not.toBeNull();
      // it did not make a socket of its own
      expect(existsSync(join(t.runroot, 'docker.sock'))).toBe(true);
      expect(act.log()).not.toMatch(/docker\.sock/);
    } finally {
      await act.stop();
    }
  });
});
