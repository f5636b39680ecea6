/**
 * The app's registry dialogs with ink-testing-library, on the real engine
 * (an empty temporary root) against real distribution registries on
 * loopback: pull with docker's per-layer lines, Esc in the middle of a
 * stalled blob (the fault proxy holds it) leaving nothing, the pulled image
 * selected; push with the same lines and a cancel; search (a registry's
 * catalog and a stand-in for Docker Hub's search API) whose results pull
 * with Enter; a 401 answered with credentials that are never drawn, saved
 * as `berth login` saves them or used once.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { EmbeddedBackend } from '../../src/client/embedded.js';
import type { EngineEvent } from '../../src/client/api.js';
import { until } from '../helpers/engine.js';
import { describeIf, fixture, peerSkipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushFixture } from '../helpers/registry-peers.js';
import { KEYS, renderApp, type AppHarness } from '../helpers/tui.js';

/** What is left of a frame after the renderer's own SGR colour codes. */
const controlsIn = (frame: string) =>
  frame.replace(/\x1b\[[0-9;]*m/g, '').match(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g) ?? [];
const short = (digest: string) => digest.slice(7, 19);
// OSC title, clear screen, a C1 CSI, a bell
const EVIL = '\x1b]0;pwned\x07\x1b[2J\u009b31m\x07';

describeIf(peerSkipReason())('the app pulls, pushes and searches', () => {
  let reg: TestRegistry;
  let authReg: TestRegistry;
  let hub: Server;
  let hubHost = '';
  let big = '';
  let layers: string[] = [];
  let t: TempRoot;
  let b: EmbeddedBackend;
  let dockerConfig = '';
  let proxy: FaultProxy | null = null;
  let app: AppHarness | null = null;
  const since = Date.now();
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    reg = await startRegistry();
    const remote = await pushFixture(reg, fixture('layers.docker-save.tar'), 'f/layers:v1', { image: 'bb-layers:v1' });
    layers = remote.layers!;
    big = layers[0]!; // the base layer (about 1 MB): where the stall lands
    await pushFixture(reg, fixture('busybox.docker-save.tar'), 'tools/busybox:latest');
    authReg = await startRegistry({ tls: true, auth: 'basic' });
    await pushFixture(authReg, fixture('busybox.docker-save.tar'), 'private/bb:1');
    // a stand-in for Docker Hub's search API, reached as HOST/TERM; one description carries escape sequences
    hub = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname !== '/v1/search') return void res.writeHead(404).end();
      const results = [
        { name: 'nginx', description: 'Official build of Nginx.', star_count: 20000, is_official: true },
        { name: 'evil/nginx', description: `HOSTILE${EVIL}end`, star_count: 7, is_automated: true },
      ];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ num_results: results.length, query: u.searchParams.get('q'), results }));
    });
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', () => r()));
    hubHost = `127.0.0.1:${(hub.address() as { port: number }).port}`;
    // no saved credentials; the TLS registry's CA where berth looks for it (read when the registry client starts)
    dockerConfig = mkdtempSync(join(tmpdir(), 'berth-app-docker-'));
    for (const k of ['DOCKER_CONFIG', 'BERTH_CERTS_D']) saved[k] = process.env[k];
    process.env.DOCKER_CONFIG = dockerConfig;
    process.env.BERTH_CERTS_D = authReg.certsDir!;
    t = tempRoot('berth-app-registry-');
    b = new EmbeddedBackend({ root: t.root, runroot: t.runroot });
  });
  afterEach(async () => {
    app?.close();
    app = null;
    await proxy?.stop();
    proxy = null;
  });
  afterAll(async () => {
    await b?.close();
    t?.cleanup();
    await reg?.stop();
    await authReg?.stop();
    hub?.close();
    rmSync(dockerConfig, { recursive: true, force: true });
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const open = async () => {
    app = await renderApp(b, { columns: 130, rows: 40 });
    await app.waitFor(/\d+ images/);
    await app.press('2');
    await app.waitFor(/REPOSITORY:TAG/);
    return app;
  };
  /** The store's directories an image or a half-pulled one would leave something in. */
  const storeFiles = () =>
    Object.fromEntries(
      ['layers', 'tmp', join('blobs', 'sha256')].map((d) => {
        const p = join(t.root, d);
        return [d, existsSync(p) ? readdirSync(p).sort() : []];
      }),
    );
  const imageNames = async () => (await b.listImages()).flatMap((i) => i.RepoTags);

  it("checks the reference and the platform with the engine's rules before asking anything", async () => {
    const a = await open();
    // the Enter menu and the help list the registry actions with their keys
    await a.press(KEYS.enter);
    await a.waitFor('Actions:');
    for (const t of [/p\s+Pull from a registry/, /u\s+Push to its registry/, /f\s+Search a registry/])
      expect(a.frame()).toMatch(t);
    await a.press(KEYS.escape, '?');
    await a.waitFor('Keys (');
    const inHelp = /p\s+Pull from a registry \(Esc cancels\)[\s\S]*u\s+Push[\s\S]*f\s+Search a registry/;
    for (let i = 0; i < 60 && !inHelp.test(a.frame()); i++) await a.press('j');
    expect(a.frame()).toMatch(inHelp);
    await a.press('?');
    await a.waitFor((f) => !f.includes('Keys ('));
    const asked = reg.accessLog().length;
    await a.press('p');
    await a.waitFor('Pull an image');
    await a.type('Bad:Name');
    await a.press(KEYS.enter);
    await a.waitFor('invalid reference format');
    await a.press(KEYS.ctrlU);
    await a.type(`${reg.host}/f/layers:v1`);
    await a.press(KEYS.tab);
    await a.waitFor(/empty: this machine's \(linux\/\w+/);
    await a.type('linux/nonsense');
    await a.press(KEYS.enter);
    await a.waitFor('"linux/nonsense": unknown operating system or architecture: invalid argument');
    expect(reg.accessLog().length).toBe(asked);
    await a.press(KEYS.escape);
    await a.waitFor((f) => !f.includes('Pull an image'));
  });

  it("pulls with docker's per-layer lines; Esc in a stalled blob cancels and leaves nothing; the pulled image is selected", async () => {
    proxy = await startFaultProxy(reg.host, [{ path: big, fault: { kind: 'stall', afterBytes: 300_000 } }]);
    const before = storeFiles();
    const a = await open();
    await a.press('p');
    await a.type(`${proxy.host}/f/layers:v1`);
    await a.press(KEYS.enter);
    // the big layer held after 300 kB with docker's bar (its byte count as last reported); the small ones done
    const stalled = await a.waitFor(
      (f) =>
        new RegExp(`${short(big)}: Downloading \\[=*>\\s+\\]\\s+[\\d.]+kB/1\\.\\d+MB`).test(f) &&
        layers.slice(1).every((l) => f.includes(`${short(l)}: Pull complete`)),
    );
    expect(stalled).toContain('v1: Pulling from f/layers');
    expect(stalled).toContain(`Pulling ${proxy.host}/f/layers:v1…`);
    expect(proxy.stalled()).toBe(1);
    await a.press(KEYS.escape);
    await a.waitFor(`pulling ${proxy.host}/f/layers:v1: cancelled; nothing was left behind`);
    // the connection was given up, and nothing of the pull is in the store
    await until(() => proxy!.events.some((e) => e.abandoned));
    expect(await imageNames()).toEqual([]);
    expect(storeFiles()).toEqual(before);
    // again (the stall was played once): the image comes, and it is the selection of the focused Images list
    await a.press('p');
    await a.type(`${proxy.host}/f/layers:v1`);
    await a.press(KEYS.enter);
    await a.waitFor(`Downloaded newer image for ${proxy.host}/f/layers:v1`);
    await a.waitFor(`│ ${proxy.host}/f/layers:v1 │ Inspect`);
    expect(await imageNames()).toEqual([`${proxy.host}/f/layers:v1`]);
  });

  it('pushes the selected image with the same lines; Esc cancels a push held by the registry', async () => {
    await b.tagImage(`${reg.host}/f/layers:v1`, `${reg.host}/pushed/layers:2`).catch(async () => {
      // the previous test pulled through the proxy; pull from the registry itself when run alone
      for await (const _ of b.pullImage(`${reg.host}/f/layers:v1`)) void _;
      await b.tagImage(`${reg.host}/f/layers:v1`, `${reg.host}/pushed/layers:2`);
    });
    const a = await open();
    await a.press('/');
    await a.type('pushed/layers');
    await a.press(KEYS.enter);
    await a.waitFor(' 1 shown');
    await a.press('u');
    await a.waitFor(`Push image: ${reg.host}/pushed/layers:2`);
    await a.press(KEYS.enter);
    await a.waitFor(new RegExp(`pushed ${reg.host}/pushed/layers:2: digest: sha256:[0-9a-f]{64} size: \\d+`));
    // a push the registry holds at its first upload: Esc, and the registry never gets the tag
    proxy = await startFaultProxy(reg.host, [
      { path: /\/blobs\/uploads\/$/, method: 'POST', fault: { kind: 'stall', afterBytes: 0 } },
    ]);
    await b.tagImage(`${reg.host}/f/layers:v1`, `${proxy.host}/held/layers:1`);
    await a.press(KEYS.escape, '/');
    await a.type('held/layers');
    await a.press(KEYS.enter);
    await a.waitFor(' 1 shown');
    await a.press('u', KEYS.enter);
    await until(() => proxy!.stalled() === 1);
    // docker's lines while it waits: each layer prepared or waiting, the upload held
    await a.waitFor(/[0-9a-f]{12}: (Preparing|Waiting|Pushing)/);
    expect(a.frame()).toContain(`Pushing ${proxy.host}/held/layers:1…`);
    await a.press(KEYS.escape);
    await a.waitFor(`pushing ${proxy.host}/held/layers:1: cancelled`);
    await until(() => proxy!.events.some((e) => e.abandoned));
    const tags = await fetch(`http://${reg.host}/v2/held/layers/tags/list`);
    expect(tags.status).toBe(404);
  });

  it("searches a registry's catalog as docker's table, and Enter pulls the chosen result", async () => {
    const a = await open();
    await a.press('f');
    await a.waitFor('Search a registry');
    await a.type(`${reg.host}/busy`);
    await a.press(KEYS.enter);
    const table = await a.waitFor(`${reg.host}/tools/busybox`);
    expect(table).toMatch(/NAME\s+DESCRIPTION\s+STARS\s+OFFICIAL\s+AUTOMATED/);
    expect(table).toContain('1 result');
    await a.press(KEYS.enter);
    await a.waitFor(`Downloaded newer image for ${reg.host}/tools/busybox:latest`);
    await a.waitFor(`│ ${reg.host}/tools/busybox:latest │ Inspect`);
  });

  it("shows Docker Hub's answer with its stars and marks, drawing none of a description's escape sequences", async () => {
    const a = await open();
    await a.press('f');
    await a.type(`${hubHost}/nginx`);
    await a.press(KEYS.enter);
    const table = await a.waitFor('evil/nginx');
    expect(table).toMatch(/nginx\s+Official build of Nginx\.\s+20000\s+\[OK\]/);
    expect(table).toMatch(/evil\/nginx\s+HOSTILE.*end\s+7\s+\[OK\]/);
    expect(table).toContain('2 results');
    for (const f of a.frames()) expect(controlsIn(f)).toEqual([]);
    // down to the second, up past the first back to the term
    await a.press(KEYS.down);
    await a.press(KEYS.up, KEYS.up);
    await a.type('x');
    await a.waitFor(`${hubHost}/nginxx`);
  });

  it('asks for credentials on a 401: the password is never drawn; saved as `berth login` saves them, or used once', async () => {
    const a = await open();
    const secret = authReg.password!;
    await a.press('p');
    await a.type(`${authReg.host}/private/bb:1`);
    await a.press(KEYS.enter);
    await a.waitFor(`Log in to ${authReg.host}`);
    expect(a.frame()).toMatch(/no basic auth credentials/);
    // a wrong password: the registry's answer, the dialog stays
    await a.type(authReg.user!);
    await a.press(KEYS.tab);
    await a.type('wrong-password');
    await a.waitFor('••••••••••••••');
    await a.press(KEYS.enter);
    await a.waitFor(/login attempt to https?:\/\/.*\/v2\/ failed with status: 401 Unauthorized/);
    expect(existsSync(join(dockerConfig, 'config.json'))).toBe(false);
    await a.press(KEYS.ctrlU);
    await a.type(secret);
    await a.press(KEYS.enter);
    await a.waitFor(`Downloaded newer image for ${authReg.host}/private/bb:1`);
    const file = join(dockerConfig, 'config.json');
    // the footer says where they went (the message line may be cut at the screen's edge)
    expect(a.services.store.get().message?.text).toBe(
      `Downloaded newer image for ${authReg.host}/private/bb:1; logged in to ${authReg.host}, credentials saved in ${file}`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(cfg.auths[authReg.host]!.auth).toBe(Buffer.from(`${authReg.user}:${secret}`).toString('base64'));
    await a.waitFor(`│ ${authReg.host}/private/bb:1 │ Inspect`);
    // with Save off they serve this push only: nothing saved
    await b.logout(authReg.host);
    await b.tagImage(`${authReg.host}/private/bb:1`, `${authReg.host}/private/again:1`);
    await a.press('/');
    await a.type('private/again');
    await a.press(KEYS.enter);
    await a.waitFor(' 1 shown');
    await a.press('u', KEYS.enter);
    await a.waitFor(`Log in to ${authReg.host}`);
    await a.type(authReg.user!);
    await a.press(KEYS.tab);
    await a.type(secret);
    await a.press(KEYS.tab, ' ');
    await a.waitFor('[ ] off');
    await a.press(KEYS.enter);
    await a.waitFor(new RegExp(`pushed ${authReg.host}/private/again:1: digest: sha256:`));
    expect(JSON.parse(readFileSync(file, 'utf8')).auths).toEqual({});
    // a search of its catalog asks too, and lists what the credentials may see
    await a.press(KEYS.escape, 'f');
    await a.type(`${authReg.host}/private`);
    await a.press(KEYS.enter);
    await a.waitFor(`Log in to ${authReg.host}`);
    await a.type(authReg.user!);
    await a.press(KEYS.tab);
    await a.type(secret);
    await a.press(KEYS.tab, ' ', KEYS.enter);
    await a.waitFor((f) => f.includes(`${authReg.host}/private/again`) && f.includes(`${authReg.host}/private/bb`));
    expect(JSON.parse(readFileSync(file, 'utf8')).auths).toEqual({});
    // the password was never on the screen, nor in an event
    for (const f of a.frames()) expect(f).not.toContain(secret);
    const events: EngineEvent[] = [];
    const ac = new AbortController();
    for await (const e of b.events({ since, until: Date.now(), signal: ac.signal })) events.push(e);
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain(secret);
    expect(events.map((e) => `${e.Type} ${e.Action}`)).toEqual(expect.arrayContaining(['image pull', 'image push']));
  });
});
