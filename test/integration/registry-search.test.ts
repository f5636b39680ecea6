/**
 * berth search. There is no internet here, so Docker Hub's part is tested
 * against a stand-in server in this file that answers the Hub search API's
 * shape (`/v1/search?q=&n=`) on loopback, reached as REGISTRY/TERM (berth
 * asks a registry's own /v1/search first, as docker does); a distribution
 * registry (no search API) is searched through its catalog, as podman does.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, describeIf, fixture, peerSkipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { pushFixture } from '../helpers/registry-peers.js';

const HUB_RESULTS = [
  { name: 'nginx', description: 'Official build of Nginx.', star_count: 20000, is_official: true, is_automated: false },
  {
    name: 'bitnami/nginx',
    description: 'Bitnami container image for NGINX, a very long description that\nruns past forty-five characters',
    star_count: 190,
    is_official: false,
    is_automated: true,
  },
  { name: 'someone/nginx-proxy', description: '', star_count: 3, is_official: false, is_automated: false },
];

describeIf(peerSkipReason())('search', () => {
  let hub: Server;
  let hubHost = '';
  const asked: string[] = [];
  let reg: TestRegistry;
  let t: TempRoot;
  beforeAll(async () => {
    hub = createServer((req, res) => {
      asked.push(req.url ?? '');
      const u = new URL(req.url ?? '/', 'http://x');
      if (u.pathname !== '/v1/search') {
        res.writeHead(404).end();
        return;
      }
      const q = u.searchParams.get('q') ?? '';
      const n = Number(u.searchParams.get('n') ?? 25);
      const results = HUB_RESULTS.filter((r) => r.name.includes(q)).slice(0, n);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ num_results: results.length, query: q, results }));
    });
    await new Promise<void>((r) => hub.listen(0, '127.0.0.1', () => r()));
    hubHost = `127.0.0.1:${(hub.address() as { port: number }).port}`;
    reg = await startRegistry();
    await pushFixture(reg, fixture('busybox.docker-save.tar'), 'tools/busybox:1.35');
    await pushFixture(reg, fixture('busybox.docker-save.tar'), 'tools/busybox:latest');
    await pushFixture(reg, fixture('busybox.docker-save.tar'), 'other/thing:1');
    t = tempRoot('berth-search-');
  });
  afterAll(async () => {
    hub?.close();
    await reg?.stop();
    t?.cleanup();
  });

  it("prints Docker Hub's answer as docker's table", async () => {
    const r = await berth(t, ['search', `${hubHost}/nginx`]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(
      [
        'NAME                  DESCRIPTION                                     STARS     OFFICIAL   AUTOMATED',
        'nginx                 Official build of Nginx.                        20000     [OK]       ',
        'bitnami/nginx         Bitnami container image for NGINX, a very lo…   190                  [OK]',
        'someone/nginx-proxy                                                   3                    ',
        '',
      ].join('\n'),
    );
    expect(asked.pop()).toBe('/v1/search?q=nginx&n=25');
  });

  it('--limit, --filter, --no-trunc and --format', async () => {
    await berth(t, ['search', '--limit', '2', `${hubHost}/nginx`]);
    expect(asked.pop()).toBe('/v1/search?q=nginx&n=2');
    const official = await berth(t, [
      'search',
      '--filter',
      'is-official=true',
      '--format',
      '{{.Name}}',
      `${hubHost}/nginx`,
    ]);
    expect(official.stdout).toBe('nginx\n');
    const stars = await berth(t, [
      'search',
      '-f',
      'stars=100',
      '-f',
      'is-automated=true',
      '--format',
      '{{.Name}} {{.StarCount}} {{.IsAutomated}}',
      `${hubHost}/nginx`,
    ]);
    expect(stars.stdout).toBe('bitnami/nginx 190 [OK]\n');
    const full = await berth(t, ['search', '--no-trunc', '--format', '{{.Description}}', `${hubHost}/bitnami`]);
    expect(full.stdout).toBe(
      'Bitnami container image for NGINX, a very long description that runs past forty-five characters\n',
    );
    const bad = await berth(t, ['search', '-f', 'color=red', `${hubHost}/nginx`]);
    expect([bad.exitCode, bad.stderr.split('\n')[0]]).toEqual([125, "berth: Invalid filter 'color'"]);
  });

  it('a registry without the search API: its catalog, filtered by the term; --list-tags', async () => {
    const r = await berth(t, ['search', '--format', '{{.Name}}', `${reg.host}/busy`]);
    expect([r.exitCode, r.stdout]).toEqual([0, `${reg.host}/tools/busybox\n`]);
    const tags = await berth(t, ['search', '--list-tags', `${reg.host}/tools/busybox`]);
    const rows = tags.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/\s{2,}/));
    expect(rows[0]).toEqual(['NAME', 'TAG']);
    // in the registry's order
    expect(rows.slice(1).sort((a, b) => a[1]!.localeCompare(b[1]!))).toEqual([
      [`${reg.host}/tools/busybox`, '1.35'],
      [`${reg.host}/tools/busybox`, 'latest'],
    ]);
  });
});
