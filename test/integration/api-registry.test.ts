/**
 * The API service's registry and build requests played by an attacker or a
 * careless client: the service never lends the credentials saved on its
 * host to a client that sent none (dockerd uses only what its client sends),
 * and a build's Dockerfile path cannot leave the context.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { startApiService, type ApiService } from '../helpers/api-service.js';
import { berth, describeIf, fixture, itIf, peerSkipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

/** One request over the service's socket: status and body. */
function call(
  sock: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method, path, headers: opts.headers ?? {} }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const authHeader = (username: string, password: string) =>
  Buffer.from(JSON.stringify({ username, password })).toString('base64url');

describeIf(peerSkipReason())('the API service and credentials', () => {
  let t: TempRoot;
  let reg: TestRegistry;
  let svc: ApiService;
  let env: Record<string, string>;

  beforeAll(async () => {
    t = tempRoot('berth-api-registry-');
    reg = await startRegistry({ auth: 'basic' });
    // the host's saved credentials for the registry: berth login, as root on the host would have done
    env = { DOCKER_CONFIG: join(t.base, 'host-docker-config') };
    await berth(t, ['load', '-i', fixture('busybox.docker-save.tar')]);
    const login = await berth(t, ['login', '-u', reg.user!, '--password-stdin', reg.host], {
      env,
      input: `${reg.password}\n`,
    });
    expect(login.exitCode).toBe(0);
    await berth(t, ['tag', 'bb', `${reg.host}/a/bb:1`]);
    expect((await berth(t, ['push', `${reg.host}/a/bb:1`], { env })).exitCode).toBe(0);
    await berth(t, ['rmi', `${reg.host}/a/bb:1`]);
    // the service runs with those saved credentials in its environment
    svc = await startApiService(t, { env });
  }, 120_000);

  afterAll(async () => {
    await svc?.stop();
    await reg?.stop();
    t?.cleanup();
  });

  itIf(null)('a pull, push or distribution request without X-Registry-Auth gets no saved credentials', async () => {
    const pull = await call(svc.sock, 'POST', `/v1.41/images/create?fromImage=${reg.host}/a/bb&tag=1`);
    expect(pull.status).toBe(500);
    expect(JSON.parse(pull.body).message).toMatch(/no basic auth credentials$/);
    const dist = await call(svc.sock, 'GET', `/v1.41/distribution/${reg.host}/a/bb:1/json`);
    expect(dist.status).not.toBe(200);
    await berth(t, ['tag', 'bb', `${reg.host}/a/bb:2`]);
    const push = await call(svc.sock, 'POST', `/v1.41/images/${reg.host}/a/bb/push?tag=2`);
    expect(push.body).toContain('no basic auth credentials');
    expect(push.body).not.toContain('"status":"2: digest:');
    // with the client's credentials the same requests work
    const headers = { 'X-Registry-Auth': authHeader(reg.user!, reg.password!) };
    const ok = await call(svc.sock, 'POST', `/v1.41/images/create?fromImage=${reg.host}/a/bb&tag=1`, { headers });
    expect(ok.status).toBe(200);
    expect(ok.body).toContain(`Status: Downloaded newer image for ${reg.host}/a/bb:1`);
    const d = await call(svc.sock, 'GET', `/v1.41/distribution/${reg.host}/a/bb:1/json`, { headers });
    expect(JSON.parse(d.body).Platforms).toEqual([{ architecture: 'amd64', os: 'linux' }]);
  });

  itIf(null)(
    '/auth checks the credentials against the registry: 401 for a wrong password, Login Succeeded for the right one',
    async () => {
      const body = (password: string) =>
        Buffer.from(JSON.stringify({ username: reg.user, password, serveraddress: reg.host }));
      const bad = await call(svc.sock, 'POST', '/v1.41/auth', { body: body('wrong') });
      expect(bad.status).toBe(401);
      const good = await call(svc.sock, 'POST', '/v1.41/auth', { body: body(reg.password!) });
      expect([good.status, JSON.parse(good.body)]).toEqual([200, { IdentityToken: '', Status: 'Login Succeeded' }]);
    },
  );

  itIf(null)("a build's Dockerfile path that climbs out of the context is refused before the build", async () => {
    for (const p of ['../../etc/passwd', 'sub/../../x']) {
      const r = await call(svc.sock, 'POST', `/v1.41/build?dockerfile=${encodeURIComponent(p)}`, {
        headers: { 'Content-Type': 'application/x-tar' },
        body: Buffer.alloc(1024),
      });
      expect([r.status, JSON.parse(r.body).message]).toEqual([
        400,
        `the Dockerfile (${p}) must be within the build context`,
      ]);
    }
  });
});
