/**
 * The registry test bed itself (test/helpers/registry.ts, token-server.ts,
 * fault-proxy.ts, multi-arch.ts, registry-peers.ts), checked with the real
 * peers: skopeo copies the fixtures into each setup, the token server's tokens
 * are what distribution accepts, the proxy's faults happen as planned, and the
 * multi-arch index is what it says it is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeIf, fixture, peerSkipReason } from '../helpers/env.js';
import { BB_ID, OCI_CONFIG_ID, V1_ID } from '../helpers/facts.js';
import { basicAuth, fetchUrl, parseChallenge } from '../helpers/http-fetch.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { inspectRemote, pushFixture, sha256, skopeoArgs, skopeoBin } from '../helpers/registry-peers.js';

const bbArchive = fixture('busybox.docker-save.tar');
const skopeo = (args: string[]) => execa(skopeoBin(), args, { reject: false });
const ca = (reg: TestRegistry) => readFileSync(reg.caFile!, 'utf8');

describeIf(peerSkipReason())('test registry: plain HTTP', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry();
  });
  afterAll(() => reg?.stop());

  it('listens on loopback and takes a push from skopeo, keeping the image ID', async () => {
    expect(reg.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect([reg.scheme, reg.url, reg.certsDir, reg.user]).toEqual(['http', `http://${reg.host}`, undefined, undefined]);
    const v2 = await fetchUrl(`${reg.url}/v2/`);
    expect([v2.status, v2.headers['docker-distribution-api-version']]).toEqual([200, 'registry/2.0']);
    const pushed = await pushFixture(reg, bbArchive, 'tb/bb:one');
    expect(pushed.configDigest).toBe(BB_ID);
    expect(pushed.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    // the manifest fetched by hand is the one skopeo reports, byte for byte
    const m = await fetchUrl(`${reg.url}/v2/tb/bb/manifests/one`, { headers: { Accept: pushed.mediaType } });
    expect([m.status, sha256(m.body), m.headers['docker-content-digest']]).toEqual([200, pushed.digest, pushed.digest]);
    expect(reg.accessLog()).toContainEqual({ method: 'PUT', path: '/v2/tb/bb/manifests/one', status: 201 });
  });

  it('stop() ends the process and removes its directory', async () => {
    const other = await startRegistry();
    await other.stop();
    await expect(fetchUrl(`${other.url}/v2/`)).rejects.toThrow(/ECONNREFUSED/);
    const { existsSync } = await import('node:fs');
    expect(existsSync(other.dataDir)).toBe(false);
  });
});

describeIf(peerSkipReason())('test registry: HTTPS with its own CA in certs.d', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ tls: true });
  });
  afterAll(() => reg?.stop());

  it('lays the CA out as certs.d/<host:port>/ca.crt and serves a certificate for 127.0.0.1 and localhost', async () => {
    expect(reg.scheme).toBe('https');
    expect(reg.caFile).toBe(join(reg.certsDir!, reg.host, 'ca.crt'));
    const port = reg.host.split(':')[1];
    expect(readFileSync(join(reg.certsDir!, `localhost:${port}`, 'ca.crt'), 'utf8')).toBe(ca(reg));
    // node verifies the chain and the names (IP SAN for 127.0.0.1, DNS for localhost)
    expect((await fetchUrl(`${reg.url}/v2/`, { ca: ca(reg) })).status).toBe(200);
    expect((await fetchUrl(`https://localhost:${port}/v2/`, { ca: ca(reg) })).status).toBe(200);
    await expect(fetchUrl(`${reg.url}/v2/`)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
  });

  it('skopeo refuses it without the CA and pushes with --dest-cert-dir', async () => {
    const bad = await skopeo(['copy', '-q', `docker-archive:${bbArchive}`, `docker://${reg.host}/tb/bb:tls`]);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/x509|certificate/);
    const pushed = await pushFixture(reg, bbArchive, 'tb/bb:tls');
    expect(pushed.configDigest).toBe(BB_ID);
    expect(skopeoArgs(reg, 'dest')).toEqual(['--dest-cert-dir', join(reg.certsDir!, reg.host)]);
  });
});

describeIf(peerSkipReason())('test registry: htpasswd Basic auth over TLS', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ tls: true, auth: 'basic' });
  });
  afterAll(() => reg?.stop());

  it('challenges with Basic and takes the right password only', async () => {
    const anon = await fetchUrl(`${reg.url}/v2/`, { ca: ca(reg) });
    expect(anon.status).toBe(401);
    expect(parseChallenge(anon.headers['www-authenticate'] as string)).toEqual({
      scheme: 'Basic',
      params: { realm: 'berth-test-registry' },
    });
    const ok = await fetchUrl(`${reg.url}/v2/`, {
      ca: ca(reg),
      headers: { Authorization: basicAuth(reg.user!, reg.password!) },
    });
    expect(ok.status).toBe(200);
    const wrong = await fetchUrl(`${reg.url}/v2/`, {
      ca: ca(reg),
      headers: { Authorization: basicAuth(reg.user!, 'nope') },
    });
    expect(wrong.status).toBe(401);
  });

  it('works over plain HTTP too (distribution 2.8 does not insist on TLS for Basic)', async () => {
    const plain = await startRegistry({ auth: 'basic', user: 'u1', password: 'p1' });
    try {
      expect((await fetchUrl(`${plain.url}/v2/`)).status).toBe(401);
      expect((await fetchUrl(`${plain.url}/v2/`, { headers: { Authorization: basicAuth('u1', 'p1') } })).status).toBe(
        200,
      );
    } finally {
      await plain.stop();
    }
  });

  it('skopeo pushes with the credentials of dockerConfig/config.json, and not without', async () => {
    const cfg = JSON.parse(readFileSync(reg.authFile!, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(cfg.auths[reg.host]!.auth, 'base64').toString()).toBe(`${reg.user}:${reg.password}`);
    const anon = await skopeo([
      'copy',
      '-q',
      '--dest-cert-dir',
      join(reg.certsDir!, reg.host),
      '--dest-no-creds',
      `docker-archive:${bbArchive}`,
      `docker://${reg.host}/tb/bb:basic`,
    ]);
    expect(anon.exitCode).not.toBe(0);
    expect(anon.stderr).toMatch(/unauthorized|authentication required/i);
    expect((await pushFixture(reg, bbArchive, 'tb/bb:basic')).configDigest).toBe(BB_ID);
  });
});

describeIf(peerSkipReason())('test registry: token auth with the test token server', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ tls: true, auth: 'token' });
  });
  afterAll(() => reg?.stop());

  const token = async (scope: string, user?: string, password?: string) => {
    const u = new URL(reg.tokenServer!.url);
    u.searchParams.set('service', 'berth-test-registry');
    u.searchParams.set('scope', scope);
    const r = await fetchUrl(u.href, {
      ca: ca(reg),
      ...(user ? { headers: { Authorization: basicAuth(user, password!) } } : {}),
    });
    return {
      status: r.status,
      body: r.status === 200 ? (JSON.parse(r.body.toString()) as Record<string, unknown>) : null,
    };
  };

  it('challenges with Bearer naming the token server, service and scope', async () => {
    const r = await fetchUrl(`${reg.url}/v2/tb/bb/manifests/latest`, { ca: ca(reg) });
    expect(r.status).toBe(401);
    expect(parseChallenge(r.headers['www-authenticate'] as string)).toEqual({
      scheme: 'Bearer',
      params: { realm: reg.tokenServer!.url, service: 'berth-test-registry', scope: 'repository:tb/bb:pull' },
    });
    expect(reg.tokenServer!.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/token$/);
  });

  it('skopeo pushes through the token flow; each token request is counted and logged with its scope', async () => {
    const before = reg.tokenServer!.requests;
    expect((await pushFixture(reg, bbArchive, 'tb/bb:token')).configDigest).toBe(BB_ID);
    expect(reg.tokenServer!.requests).toBeGreaterThan(before);
    const mine = reg.tokenServer!.log.slice(before);
    expect(mine.every((r) => r.status === 200 && r.user === reg.user && r.service === 'berth-test-registry')).toBe(
      true,
    );
    expect(mine.flatMap((r) => r.scopes)).toContain('repository:tb/bb:pull,push');
  });

  it('a token for pull reads the manifest but cannot push; a wrong password gets no token', async () => {
    const before = reg.tokenServer!.requests;
    const t = await token('repository:tb/bb:pull', reg.user, reg.password);
    expect(t.status).toBe(200);
    expect(t.body).toMatchObject({ expires_in: 300 });
    expect(t.body!.token).toBe(t.body!.access_token);
    const bearer = { Authorization: `Bearer ${t.body!.token as string}` };
    const m = await fetchUrl(`${reg.url}/v2/tb/bb/manifests/token`, {
      ca: ca(reg),
      headers: { ...bearer, Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(m.status).toBe(200);
    const up = await fetchUrl(`${reg.url}/v2/tb/bb/blobs/uploads/`, { method: 'POST', ca: ca(reg), headers: bearer });
    expect(up.status).toBe(401);
    expect(up.headers['www-authenticate']).toContain('error="insufficient_scope"');
    expect((await token('repository:tb/bb:pull', reg.user, 'wrong')).status).toBe(401);
    // anonymous: a token, but one that grants nothing (as Docker Hub answers for a private repository)
    const anon = await token('repository:tb/bb:pull');
    const denied = await fetchUrl(`${reg.url}/v2/tb/bb/manifests/token`, {
      ca: ca(reg),
      headers: { Authorization: `Bearer ${anon.body!.token as string}` },
    });
    expect(denied.status).toBe(401);
    expect(reg.tokenServer!.requests - before).toBe(3);
  });

  it('a token signed by another key is refused', async () => {
    const t = await token('repository:tb/bb:pull', reg.user, reg.password);
    const [h, c] = (t.body!.token as string).split('.');
    const { generateKeyPairSync, sign } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = `${h}.${c}.${sign('sha256', Buffer.from(`${h}.${c}`), privateKey).toString('base64url')}`;
    const r = await fetchUrl(`${reg.url}/v2/tb/bb/manifests/token`, {
      ca: ca(reg),
      headers: { Authorization: `Bearer ${forged}` },
    });
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toContain('error="invalid_token"');
  });
});

describeIf(peerSkipReason())('test registry: token auth variants (x5c header, anonymous pull, plain HTTP)', () => {
  let reg: TestRegistry;
  beforeAll(async () => {
    reg = await startRegistry({ auth: 'token', tokenKeyHeader: 'x5c', anonymousPull: true });
  });
  afterAll(() => reg?.stop());

  it('pushes with credentials and pulls anonymously', async () => {
    expect(reg.tokenServer!.url).toMatch(/^http:\/\//);
    const pushed = await pushFixture(reg, fixture('layers.docker-save.tar'), 'tb/layers:v1', { image: 'bb-layers:v1' });
    expect(pushed.configDigest).toBe(V1_ID);
    const anon = await skopeo([
      'inspect',
      '--raw',
      '--tls-verify=false',
      '--no-creds',
      `docker://${reg.host}/tb/layers:v1`,
    ]);
    expect([anon.exitCode, anon.stderr]).toEqual([0, '']);
    expect(sha256(Buffer.from(anon.stdout))).toBe(pushed.digest);
    const anonRecords = reg.tokenServer!.log.filter((r) => r.user === null);
    expect(anonRecords.length).toBeGreaterThan(0);
    expect(anonRecords.at(-1)!.granted).toEqual([{ type: 'repository', name: 'tb/layers', actions: ['pull'] }]);
    // and anonymous push is still refused
    const push = await skopeo([
      'copy',
      '-q',
      '--dest-tls-verify=false',
      '--dest-no-creds',
      `docker-archive:${bbArchive}`,
      `docker://${reg.host}/tb/anon:x`,
    ]);
    expect(push.exitCode).not.toBe(0);
  });

  it('the OCI archive fixture goes up as an OCI manifest', async () => {
    const pushed = await pushFixture(reg, fixture('layers.oci-archive.tar'), 'tb/oci:v1');
    expect([pushed.mediaType, pushed.configDigest]).toEqual([
      'application/vnd.oci.image.manifest.v1+json',
      OCI_CONFIG_ID,
    ]);
    expect((await inspectRemote(reg, `tb/oci@${pushed.digest}`)).digest).toBe(pushed.digest);
  });
});
