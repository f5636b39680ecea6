/** The image half of the CLI against a real store: docker's names, flags, columns and exit codes. */
import { createReadStream, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { CLI, berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { BB_ID, DIFF, V0_ID, V1_ID } from '../helpers/facts.js';
import { parseTable } from '../helpers/table.js';
import { rfc3339Local } from '../../src/cli/commands/history.js';

const reason = skipReason();

describeIf(reason)('image commands', () => {
  let t: TempRoot;
  const b = (...args: string[]) => berth(t, args);
  beforeEach(async () => {
    t = tempRoot();
    const r = await b('load', '-q', '-i', fixture('layers.docker-save.tar'));
    expect(r.exitCode).toBe(0);
  });
  afterEach(() => t?.cleanup());

  it("images: each image's Containers counts the containers created from it (one query for the whole list)", async () => {
    for (const image of ['bb', 'bb', 'bb-layers:v0']) expect((await b('create', image, 'true')).exitCode).toBe(0);
    expect((await b('images', '--format', '{{.Repository}}:{{.Tag}} {{.Containers}}')).stdout).toBe(
      'bb-layers:latest 0\nbb-layers:v1 0\nbb-layers:v0 1\nbb:latest 2\n',
    );
  });

  it('images: docker default table, -q, --no-trunc, json, templates', async () => {
    // the CREATED cells depend on the clock; the tabwriter rule does not
    const table = parseTable((await b('images')).stdout, ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE']);
    const ago = expect.stringMatching(/^(\d+|About an?) \w+ ago$/);
    // newest first (v1 was committed after v0 in the same second), tags in docker's lexical order
    expect(table).toEqual([
      { REPOSITORY: 'bb-layers', TAG: 'latest', 'IMAGE ID': 'b55548ee9ab1', CREATED: ago, SIZE: '1.98MB' },
      { REPOSITORY: 'bb-layers', TAG: 'v1', 'IMAGE ID': 'b55548ee9ab1', CREATED: ago, SIZE: '1.98MB' },
      { REPOSITORY: 'bb-layers', TAG: 'v0', 'IMAGE ID': '0cb0efed89c0', CREATED: ago, SIZE: '1.98MB' },
      { REPOSITORY: 'bb', TAG: 'latest', 'IMAGE ID': '6aa4265b18c5', CREATED: ago, SIZE: '1.98MB' },
    ]);
    expect((await b('images', '-q')).stdout.split('\n').filter(Boolean).sort()).toEqual([
      '0cb0efed89c0',
      '6aa4265b18c5',
      'b55548ee9ab1',
      'b55548ee9ab1',
    ]);
    const json = (await b('images', '--format', 'json')).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(Object.keys(json[0]!)).toEqual([
      'Containers',
      'CreatedAt',
      'CreatedSince',
      'Digest',
      'ID',
      'Repository',
      'SharedSize',
      'Size',
      'Tag',
      'UniqueSize',
      'VirtualSize',
    ]);
    expect(json.find((j) => j.Repository === 'bb')).toMatchObject({
      ID: '6aa4265b18c5',
      Tag: 'latest',
      Size: '1.98MB',
      Digest: '<none>',
    });
    // as docker's formatter context marshals: keys sorted, HTML escaped, VirtualSize in go-units' HumanSize
    const line = (await b('images', '--format', '{{json .}}', 'bb')).stdout;
    expect(line).toBe((await b('images', '--format', 'json', 'bb')).stdout);
    expect(line).toMatch(
      /^\{"Containers":"0","CreatedAt":"[^"]+","CreatedSince":"[^"]+","Digest":"\\u003cnone\\u003e","ID":"6aa4265b18c5","Repository":"bb","SharedSize":"N\/A","Size":"1.98MB","Tag":"latest","UniqueSize":"N\/A","VirtualSize":"1.982MB"\}\n$/,
    );
    const nope = await b('images', '--format', '{{.ID}} {{.Nope}}');
    expect([nope.exitCode, nope.stdout, nope.stderr]).toEqual([
      1,
      '',
      'Error: template parsing error: template: :1:10: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.imageContext\n',
    ]);
    expect((await b('images', '--format', '{{.Repository}}:{{.Tag}}', 'bb')).stdout).toBe('bb:latest\n');
    expect((await b('images', '--format', 'table {{.ID}}\t{{.Tag}}', 'bb')).stdout).toBe(
      'IMAGE ID       TAG\n6aa4265b18c5   latest\n',
    );
    expect((await b('image', 'ls', '--no-trunc', '-q', 'bb:latest')).stdout).toBe(`${BB_ID}\n`);
  });

  it('images filters: reference, dangling, before, since, label', async () => {
    const q = async (...f: string[]) =>
      (await b('images', '--format', '{{.Repository}}:{{.Tag}}', ...f)).stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .sort();
    expect(await q('-f', 'reference=bb-layers:v*')).toEqual(['bb-layers:v0', 'bb-layers:v1']);
    expect(await q('-f', 'reference=bb')).toEqual(['bb:latest']);
    expect(await q('-f', 'dangling=true')).toEqual([]);
    expect(await q('-f', 'label=org.example.fixture=layers')).toEqual(['bb-layers:latest', 'bb-layers:v1']);
    expect(await q('-f', 'since=bb:latest')).toEqual(['bb-layers:latest', 'bb-layers:v0', 'bb-layers:v1']);
    expect(await q('-f', 'before=bb-layers:v0')).toEqual(['bb:latest']);
    const bad = await b('images', '-f', 'nope=1');
    expect([bad.exitCode, bad.stderr]).toEqual([1, "Error: invalid filter 'nope'\n"]);
    const bad2 = await b('images', '-f', 'dangling=maybe');
    expect(bad2.stderr).toBe("Error: invalid filter 'dangling=maybe'\n");
    const bad3 = await b('images', '-f', 'bogus');
    expect([bad3.exitCode, bad3.stderr]).toEqual([
      125,
      'berth: invalid argument "bogus" for "-f, --filter" flag: bad format of filter (expected name=value)\nSee \'berth images --help\'.\n',
    ]);
  });

  it('images filters compare creation times at full precision; until; canonical names', async () => {
    const q = async (...f: string[]) =>
      (await b('images', '--format', '{{.Repository}}:{{.Tag}}', ...f)).stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .sort();
    // v0 (22:53:23.010) and v1 (22:53:23.743) were made in the same second: docker still tells them apart
    expect(await q('-f', 'before=bb-layers:v1')).toEqual(['bb-layers:v0', 'bb:latest']);
    expect(await q('-f', 'since=bb-layers:v0')).toEqual(['bb-layers:latest', 'bb-layers:v1']);
    expect(await q('-f', 'since=bb', '-f', 'since=bb-layers:v0')).toEqual(['bb-layers:latest', 'bb-layers:v1']);
    expect(await q('-f', 'until=2026-11-23T22:53:23.5Z')).toEqual(['bb-layers:v0', 'bb:latest']);
    expect(await q('-f', 'until=2026-11-23T22:53:00Z', '-f', 'before=bb-layers:v1')).toEqual(['bb:latest']);
    expect((await b('images', '-f', 'until=yesterday')).stderr).toMatch(/^Error: invalid value for 'until' filter: /);
    expect(await q('-f', 'reference=docker.io/library/bb-layers:v*')).toEqual(['bb-layers:v0', 'bb-layers:v1']);
    expect(await q('-f', 'reference=docker.io/library/bb')).toEqual(['bb:latest']);
    // dangling=true looks at heads only, even with -a
    await b('rmi', 'bb-layers:v0');
    expect(await q('-a')).toContain('<none>:<none>');
    expect(await q('-a', '-f', 'dangling=true')).toEqual([]);
  });

  it('tag and rmi: untag one of several, refuse ID with several repositories, keep shared layers', async () => {
    expect((await b('tag', 'bb', 'localhost:5000/mine/bb:1.0')).exitCode).toBe(0);
    expect((await b('inspect', '-f', '{{json .RepoTags}}', BB_ID.slice(7, 19))).stdout.trim()).toBe(
      '["bb:latest","localhost:5000/mine/bb:1.0"]',
    );
    const parent = await b('rmi', BB_ID.slice(7, 19));
    expect(parent.stderr).toBe(
      'Error: conflict: unable to delete 6aa4265b18c5 (cannot be forced) - image has dependent child images\n',
    );
    const byId = await b('rmi', 'b55548ee9ab1');
    expect(byId.exitCode).toBe(1);
    expect(byId.stderr).toBe(
      'Error: conflict: unable to delete b55548ee9ab1 (must be forced) - image is referenced in multiple repositories\n',
    );
    const untag = await b('rmi', 'localhost:5000/mine/bb:1.0');
    expect(untag.stdout).toBe('Untagged: localhost:5000/mine/bb:1.0\n');
    // v1 has two tags: removing one only untags
    expect((await b('rmi', 'bb-layers:latest')).stdout).toBe('Untagged: bb-layers:latest\n');
    // bb:latest is the parent of v0: it has children, so deleting it only untags
    expect((await b('rmi', 'bb')).stdout).toBe('Untagged: bb:latest\n');
    expect((await b('images', '-a', '-q', '--no-trunc')).stdout.split('\n')).toContain(BB_ID);
    // deleting v1 removes its own top layer only; v0 keeps the shared ones
    const del = await b('rmi', 'bb-layers:v1');
    expect(del.stdout).toBe(
      `Untagged: bb-layers:v1\nDeleted: ${V1_ID}\nDeleted: sha256:df62053e2c9eb966e935349f72d8499386ef1e1184d7669289d1f4fbae51a7ec\n`,
    );
    expect(readdirSync(join(t.root, 'layers'))).toHaveLength(2);
    // deleting v0 prunes its now childless, untagged parent bb and every layer
    const last = await b('rmi', 'bb-layers:v0');
    expect(last.stdout).toContain(`Deleted: ${V0_ID}\n`);
    expect(last.stdout).toContain(`Deleted: ${BB_ID}\n`);
    expect(readdirSync(join(t.root, 'layers'))).toEqual([]);
    expect(readdirSync(join(t.root, 'blobs', 'sha256'))).toEqual([]);
    const missing = await b('rmi', 'nope:1');
    expect([missing.exitCode, missing.stderr]).toEqual([1, 'Error: No such image: nope:1\n']);
  });

  it('rmi -f by ID removes every tag; bad references are explained', async () => {
    const hard = await b('rmi', '-f', BB_ID);
    expect(hard.stderr).toBe(
      'Error: conflict: unable to delete 6aa4265b18c5 (cannot be forced) - image has dependent child images\n',
    );
    await b('tag', 'bb-layers:v1', 'other/bb:x');
    const forced = await b('rmi', '-f', 'b55548ee9ab1');
    expect(forced.stdout).toBe(
      `Untagged: bb-layers:latest\nUntagged: bb-layers:v1\nUntagged: other/bb:x\nDeleted: ${V1_ID}\nDeleted: sha256:df62053e2c9eb966e935349f72d8499386ef1e1184d7669289d1f4fbae51a7ec\n`,
    );
    // v0 lost its only child: its last tag goes, and so does the image
    const r = await b('rmi', '-f', 'bb-layers:v0');
    expect([r.exitCode, r.stdout]).toEqual([
      0,
      `Untagged: bb-layers:v0\nDeleted: ${V0_ID}\nDeleted: sha256:ae15b5f465129e64cae13a9c94815780cdd100b77a029698436a0e47156c753e\n`,
    ]);
    const f = await b('rmi', '-f', BB_ID);
    expect([f.exitCode, f.stdout]).toEqual([0, `Untagged: bb:latest\nDeleted: ${BB_ID}\nDeleted: ${DIFF[0]}\n`]);
    const bad = await b('rmi', 'Bad:Ref');
    expect(bad.stderr).toBe('Error: invalid reference format: repository name (library/Bad) must be lowercase\n');
  });

  it('image prune removes dangling images; -a removes unused ones', async () => {
    await b('rmi', 'bb-layers:v1', 'bb-layers:latest');
    await b('tag', 'bb-layers:v0', 'keep:1');
    await b('rmi', 'bb-layers:v0');
    // v0 is now tagged only as keep:1; make a dangling image by importing one untagged
    const imp = await b('import', fixture('container-export.tar'));
    expect(imp.stdout).toMatch(/^sha256:[a-f0-9]{64}\n$/);
    expect((await b('images', '-f', 'dangling=true', '-q')).stdout.trim()).toBe(imp.stdout.trim().slice(7, 19));
    const p = await b('image', 'prune', '-f');
    const lines = p.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['Deleted Images:', `deleted: ${imp.stdout.trim()}`]);
    expect(lines[2]).toMatch(/^deleted: sha256:[a-f0-9]{64}$/); // its layer
    expect(lines.slice(3)).toEqual(['', 'Total reclaimed space: 1.982MB', '']); // go-units HumanSize, as docker
    // -a: every unused image, children before their parents, so the tagged parent bb goes in the same run
    const all = await b('image', 'prune', '-a', '-f');
    expect(all.stdout).toBe(
      [
        'Deleted Images:',
        'untagged: keep:1',
        `deleted: ${V0_ID}`,
        'deleted: sha256:ae15b5f465129e64cae13a9c94815780cdd100b77a029698436a0e47156c753e',
        'untagged: bb:latest',
        `deleted: ${BB_ID}`,
        `deleted: ${DIFF[0]}`,
        '',
        'Total reclaimed space: 1.982MB',
        '',
      ].join('\n'),
    );
    expect((await b('images', '-a', '-q')).stdout).toBe('');
    expect((await b('image', 'prune', '-f', '--filter', 'until=1h', '--filter', 'until=2h')).stderr).toBe(
      'Error: more than one until filter specified\n',
    );
    expect((await b('image', 'prune', '-f', '--filter', 'dangling=maybe')).stderr).toBe(
      "Error: invalid filter 'dangling=maybe'\n",
    );
  });

  it('history: docker columns, --no-trunc, -q', async () => {
    const h = parseTable((await b('history', 'bb-layers:v1')).stdout, [
      'IMAGE',
      'CREATED',
      'CREATED BY',
      'SIZE',
      'COMMENT',
    ]);
    const ago = expect.stringMatching(/^(\d+|About an?) \w+ ago$/);
    expect(h).toEqual([
      {
        IMAGE: 'b55548ee9ab1',
        CREATED: ago,
        'CREATED BY': 'sh -c rm -rf /data/sub; mkdir /data/sub; ech…',
        SIZE: '12B',
        COMMENT: 'layer three: opaque dir, modified file',
      },
      {
        IMAGE: '0cb0efed89c0',
        CREATED: ago,
        'CREATED BY': 'sh -c rm /bin/wc; mkdir -p /data/sub /var/ww…',
        SIZE: '54B',
        COMMENT: 'layer two: files, links, a deletion',
      },
      { IMAGE: '6aa4265b18c5', CREATED: ago, 'CREATED BY': '', SIZE: '1.98MB', COMMENT: 'Imported from -' },
    ]);
    expect((await b('history', '-q', 'bb-layers:v1')).stdout).toBe('b55548ee9ab1\n0cb0efed89c0\n6aa4265b18c5\n');
    // -H=false: raw sizes and RFC3339 times under CREATED AT, as docker prints them
    const raw = parseTable((await b('history', '-H=false', 'bb')).stdout, [
      'IMAGE',
      'CREATED AT',
      'CREATED BY',
      'SIZE',
      'COMMENT',
    ]);
    const at = new Date(Date.parse('2026-11-23T22:51:43Z'));
    expect(raw).toEqual([
      {
        IMAGE: '6aa4265b18c5',
        'CREATED AT': rfc3339Local(at.getTime() / 1000),
        'CREATED BY': '',
        SIZE: '1982384',
        COMMENT: 'Imported from -',
      },
    ]);
    expect((await b('history', '--human=false', '--format', '{{.CreatedSince}}|{{.CreatedAt}}', 'bb')).stdout).toBe(
      `${rfc3339Local(at.getTime() / 1000)}|${rfc3339Local(at.getTime() / 1000)}\n`,
    );
    const badBool = await b('history', '-H=maybe', 'bb');
    expect([badBool.exitCode, badBool.stderr.split('\n')[0]]).toEqual([
      125,
      'berth: invalid argument "maybe" for "-H, --human" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
    ]);
    expect((await b('history', '--format', '{{.Nope}}', 'bb')).stderr).toBe(
      'Error: template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *image.historyContext\n',
    );
    expect((await b('history', '--no-trunc', '--format', '{{.CreatedBy}}', 'bb-layers:v1')).stdout.split('\n')[0]).toBe(
      'sh -c rm -rf /data/sub; mkdir /data/sub; echo new > /data/sub/n; echo changed > /data/a.txt',
    );
  });

  it('inspect: JSON array, -f templates, missing objects', async () => {
    const r = await b('inspect', 'bb');
    const arr = JSON.parse(r.stdout);
    expect(arr).toHaveLength(1);
    expect(Object.keys(arr[0]).slice(0, 6)).toEqual(['Id', 'RepoTags', 'RepoDigests', 'Parent', 'Comment', 'Created']);
    expect(r.stdout.startsWith('[\n    {\n        "Id": ')).toBe(true);
    expect(
      (await b('image', 'inspect', '-f', '{{.Config.Cmd}}|{{json .Config.ExposedPorts}}|{{.Size}}', 'bb-layers:v1'))
        .stdout,
    ).toBe('[httpd -f -p 8080 -h /var/www]|{"8080/tcp":{}}|1982450\n');
    const miss = await b('inspect', 'bb', 'nope');
    expect(miss.exitCode).toBe(1);
    expect(miss.stderr).toBe('Error: No such object: nope\n');
    expect(JSON.parse(miss.stdout)).toHaveLength(1);
    const badTpl = await b('inspect', '-f', '{{.Id', 'bb');
    expect(badTpl.exitCode).toBe(1);
    expect(badTpl.stderr).toMatch(/^Error: template parsing error/);
    // templates run over docker's typed ImageInspect: nil slices and maps, sets, unknown fields
    expect(
      (
        await b(
          'inspect',
          '-f',
          '{{.Config.Entrypoint}}|{{.Config.Volumes}}|{{.Config.Healthcheck}}|{{.Config.ExposedPorts}}|{{json .Config.Entrypoint}}',
          'bb-layers:v1',
        )
      ).stdout,
    ).toBe('[]|map[]|<nil>|map[8080/tcp:{}]|null\n');
    expect(
      (
        await b(
          'inspect',
          '-f',
          '{{range $k, $v := .Config.Labels}}{{$k}}={{$v}}{{end}} {{index .RepoTags 1}} {{.Metadata.LastTagTime}}',
          'bb-layers:v1',
        )
      ).stdout,
    ).toMatch(/^org.example.fixture=layers bb-layers:v1 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC\n$/);
    const unknown = await b('image', 'inspect', '-f', '{{.Config.Nope}}', 'bb');
    expect([unknown.exitCode, unknown.stderr]).toEqual([
      1,
      'Error: template parsing error: template: :1:9: executing "" at <.Config.Nope>: map has no entry for key "Nope"\n',
    ]);
    const range = await b('image', 'inspect', '-f', '{{index .RepoTags 3}}', 'bb');
    expect(range.stderr).toBe(
      'Error: template parsing error: template: :1:2: executing "" at <index .RepoTags 3>: error calling index: index out of range: 3\n',
    );
  });

  it('names as docker resolves them: busybox finds docker.io/library/busybox:latest; short and ambiguous IDs', async () => {
    expect((await b('tag', 'bb', 'docker.io/library/busybox:latest')).exitCode).toBe(0);
    for (const name of [
      'busybox',
      'busybox:latest',
      'library/busybox',
      'docker.io/library/busybox',
      'index.docker.io/library/busybox:latest',
    ]) {
      expect((await b('inspect', '-f', '{{.Id}}', name)).stdout, name).toBe(`${BB_ID}\n`);
    }
    expect((await b('images', '--format', '{{.Repository}}:{{.Tag}}', 'busybox')).stdout).toBe('busybox:latest\n');
    expect((await b('inspect', '-f', '{{json .RepoTags}}', 'bb')).stdout).toBe('["bb:latest","busybox:latest"]\n');
    // short IDs, with or without sha256:
    for (const id of ['6', '6aa4265b', 'sha256:6aa4', BB_ID, BB_ID.slice(7)]) {
      expect((await b('inspect', '-f', '{{.Id}}', id)).stdout, id).toBe(`${BB_ID}\n`);
    }
    // a name@digest finds only what was pulled by that digest, not an image whose ID it is (as docker)
    const byId = await b('image', 'inspect', `bb@${BB_ID}`);
    expect([byId.exitCode, byId.stderr]).toEqual([1, `Error: No such image: bb@${BB_ID}\n`]);
    // the OCI fixture's ID starts with 6 too: "6" no longer names one image
    await b('load', '-q', '-i', fixture('layers.oci-archive.tar'));
    const amb = await b('image', 'inspect', '6', 'bb');
    expect([amb.exitCode, amb.stderr]).toEqual([1, 'Error: multiple IDs found with provided prefix: 6\n']);
    expect(JSON.parse(amb.stdout).map((i: { Id: string }) => i.Id)).toEqual([BB_ID]); // the other names still print
    expect((await b('inspect', '-f', '{{.Id}}', '6a')).stdout).toBe(`${BB_ID}\n`);
    // tags: docker CLI's messages for a bad target
    const bad = await b('tag', 'bb', 'Bad:Ref');
    expect([bad.exitCode, bad.stderr]).toEqual([
      1,
      'Error: "Bad:Ref" is not a valid repository/tag: invalid reference format: repository name (library/Bad) must be lowercase\n',
    ]);
    expect((await b('tag', 'bb', `x@${BB_ID}`)).stderr).toBe(
      'Error: refusing to create a tag with a digest reference\n',
    );
    expect((await b('tag', 'nope', 'x:1')).stderr).toBe('Error: No such image: nope:latest\n');
  });

  it('import: flat tar with changes and message, from a file, stdin and a URL', async () => {
    const r = await b(
      'import',
      '-c',
      'CMD ["httpd","-f"]',
      '-c',
      'ENV A=1',
      '-m',
      'my import',
      fixture('container-export.tar'),
      'imp:1',
    );
    expect(r.exitCode).toBe(0);
    const id = r.stdout.trim();
    const i = JSON.parse((await b('inspect', 'imp:1')).stdout)[0];
    expect(i).toMatchObject({
      Id: id,
      Comment: 'my import',
      Config: { Cmd: ['httpd', '-f'], Env: ['A=1'] },
      Architecture: 'amd64',
      Os: 'linux',
    });
    expect(i.RootFS.Layers).toHaveLength(1);
    const std = await berth(t, ['import', '-', 'imp:stdin'], { inputFile: fixture('container-export.tar') });
    expect((await b('history', '--format', '{{.Comment}}', 'imp:stdin')).stdout).toBe('Imported from -\n');
    expect(std.exitCode).toBe(0);
    // the same rootfs gives the same layer whatever the source
    expect((await b('inspect', '-f', '{{json .RootFS.Layers}}', 'imp:stdin')).stdout).toBe(
      (await b('inspect', '-f', '{{json .RootFS.Layers}}', 'imp:1')).stdout,
    );
    const server: Server = createServer((req, res) => {
      if (req.url === '/rootfs.tar') createReadStream(fixture('container-export.tar')).pipe(res);
      else res.writeHead(404).end();
    });
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as { port: number }).port;
    try {
      const u = await b('import', `http://127.0.0.1:${port}/rootfs.tar`, 'imp:url');
      expect(u.exitCode).toBe(0);
      expect((await b('history', '--format', '{{.Comment}}', 'imp:url')).stdout).toBe(
        `Imported from http://127.0.0.1:${port}/rootfs.tar\n`,
      );
      const missing = await b('import', `http://127.0.0.1:${port}/nope`);
      expect(missing.exitCode).toBe(1);
      expect(missing.stderr).toMatch(/status 404/);
    } finally {
      server.close();
    }
    // --platform sets the image's platform, as moby's ImportImage does; other systems are refused
    await b('import', '--platform', 'linux/arm64/v8', fixture('container-export.tar'), 'imp:arm');
    expect((await b('inspect', '-f', '{{.Os}}/{{.Architecture}}/{{.Variant}}', 'imp:arm')).stdout).toBe(
      'linux/arm64/\n',
    );
    await b('import', '--platform', 'linux/arm/v6', fixture('container-export.tar'), 'imp:armv6');
    expect((await b('inspect', '-f', '{{.Os}}/{{.Architecture}}/{{.Variant}}', 'imp:armv6')).stdout).toBe(
      'linux/arm/v6\n',
    );
    expect((await b('import', '--platform', 'windows/amd64', fixture('container-export.tar'))).stderr).toBe(
      'Error: operating system is not supported\n',
    );
    const badChange = await b('import', '-c', 'RUN echo', fixture('container-export.tar'));
    expect(badChange.stderr).toBe('Error: run is not a valid change command\n');
    const missingFile = await b('import', '/nonexistent.tar');
    expect(missingFile.stderr).toBe('Error: open /nonexistent.tar: no such file or directory\n');
  });

  it('system prune: dangling images, or with -a every unused one; its filters', async () => {
    const imp = (await b('import', fixture('container-export.tar'))).stdout.trim();
    const p = await b('system', 'prune', '-f');
    expect(p.stdout).toMatch(
      new RegExp(
        `^Deleted Images:\ndeleted: ${imp}\ndeleted: sha256:[a-f0-9]{64}\n\nTotal reclaimed space: 1.982MB\n$`,
      ),
    );
    expect((await b('images', '-q')).stdout.split('\n').filter(Boolean)).toHaveLength(4);
    const bad = await b('system', 'prune', '-f', '--filter', 'bogus');
    expect([bad.exitCode, bad.stderr.split('\n')[0]]).toEqual([
      125,
      'berth: invalid argument "bogus" for "--filter" flag: bad format of filter (expected name=value)',
    ]);
    const a = await b('system', 'prune', '-a', '-f');
    expect(a.stdout.split('\n').filter((l) => l.startsWith('deleted: '))).toHaveLength(6); // three images, three layers
    expect(a.stdout).toMatch(/\nTotal reclaimed space: 1.982MB\n$/);
    expect((await b('images', '-a', '-q')).stdout).toBe('');
    expect(readdirSync(join(t.root, 'layers'))).toEqual([]);
  });

  it('system df and system check', async () => {
    const df = (await b('system', 'df')).stdout.split('\n');
    expect(df[0]).toBe('TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE');
    expect(df[1]).toBe('Images          3         0         1.982MB   1.982MB (100%)');
    // -v: docker's sections, blank lines and columns; shared sizes in HumanSize
    const v = (await b('system', 'df', '-v')).stdout;
    const [images, rest] = v.split('\n\nContainers space usage:\n\n') as [string, string];
    expect(images.startsWith('Images space usage:\n\n')).toBe(true);
    const rows = parseTable(images.slice('Images space usage:\n\n'.length), [
      'REPOSITORY',
      'TAG',
      'IMAGE ID',
      'CREATED',
      'SIZE',
      'SHARED SIZE',
      'UNIQUE SIZE',
      'CONTAINERS',
    ]);
    // one row per image, with its first tag
    expect(
      rows.map(
        (r) =>
          `${r.REPOSITORY}:${r.TAG} ${r['IMAGE ID']} ${r.SIZE} ${r['SHARED SIZE']} ${r['UNIQUE SIZE']} ${r.CONTAINERS}`,
      ),
    ).toEqual([
      'bb-layers:latest b55548ee9ab1 1.98MB 1.982MB 12B 0',
      'bb-layers:v0 0cb0efed89c0 1.98MB 1.982MB 0B 0',
      'bb:latest 6aa4265b18c5 1.98MB 1.982MB 0B 0',
    ]);
    // with -v a template runs once over the whole report
    expect(
      (await b('system', 'df', '-v', '--format', '{{range .Images}}{{.ID}} {{.UniqueSize}};{{end}}{{len .Containers}}'))
        .stdout,
    ).toBe('b55548ee9ab1 12B;0cb0efed89c0 0B;6aa4265b18c5 0B;0\n');
    const report = JSON.parse((await b('system', 'df', '-v', '--format', 'json')).stdout);
    expect(Object.keys(report)).toEqual(['Images', 'Containers', 'Volumes', 'BuildCache']);
    expect(report.Images[2]).toMatchObject({ ID: '6aa4265b18c5', Repository: 'bb', Tag: 'latest', Digest: '<none>' });
    expect(rest).toBe(
      'CONTAINER ID   IMAGE     COMMAND   LOCAL VOLUMES   SIZE      CREATED   STATUS    NAMES\n\n' +
        'Local Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\n\n' +
        'Build cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n',
    );
    expect((await b('system', 'check')).stdout).toBe('The store is consistent.\n');
    const { mkdirSync, writeFileSync } = await import('node:fs');
    writeFileSync(join(t.root, 'blobs', 'sha256', 'f'.repeat(64)), 'junk');
    mkdirSync(join(t.root, 'layers', 'e'.repeat(64), 'diff'), { recursive: true });
    const found = await b('system', 'check');
    expect(found.exitCode).toBe(1);
    expect(found.stdout).toContain(`unreferenced blob found: sha256:${'f'.repeat(64)}`);
    expect(found.stdout).toContain(`unreferenced layer found: sha256:${'e'.repeat(64)}`);
    const fixed = await b('system', 'check', '--repair');
    expect(fixed.exitCode).toBe(0);
    expect((await b('system', 'check')).stdout).toBe('The store is consistent.\n');
    expect((await b('inspect', '-f', '{{.Id}}', 'bb')).stdout).toBe(`${BB_ID}\n`);
    expect(DIFF).toHaveLength(3);
  });

  it('usage errors exit 125 like docker', async () => {
    const r = await b('images', '--bogus');
    expect(r.exitCode).toBe(125);
    expect(r.stderr).toMatch(/unknown option '--bogus'/);
    expect(r.stderr).toMatch(/See 'berth images --help'/);
    const m = await b('tag', 'bb');
    expect(m.exitCode).toBe(125);
    // the help hint names the command, not the values of --root and --runroot
    const g = await berth({ env: {} }, ['--root', t.root, '--runroot', t.runroot, 'image', 'ls', '--bogus']);
    expect([g.exitCode, g.stderr]).toEqual([125, "berth: unknown option '--bogus'\nSee 'berth image ls --help'.\n"]);
    const s = await berth({ env: {} }, ['--root', t.root, 'save']);
    expect([s.exitCode, s.stderr]).toEqual([
      125,
      "berth: missing required argument 'IMAGE'\nSee 'berth save --help'.\n",
    ]);
  });

  it('save refuses a terminal; a reader that goes away ends the output quietly', async () => {
    // script(1) gives the command a terminal for stdout
    const tty = await execa('script', ['-qec', `node ${CLI} save bb`, '/dev/null'], {
      env: { ...t.env },
      reject: false,
    });
    expect(tty.exitCode).toBe(1);
    expect(tty.stdout.trim()).toBe('Error: cowardly refusing to save to a terminal. Use the -o flag or redirect');
    // stdout closed before berth writes (`berth images | true`): no EPIPE stack trace; SIGPIPE's status, as docker
    const child = spawn('node', [CLI, 'images', '--format', 'json'], {
      env: { ...process.env, ...t.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise((r) => child.once('close', r));
    expect([code, stderr]).toEqual([141, '']);
  });
});
