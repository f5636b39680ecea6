/** Named, anonymous and bind volumes and tmpfs mounts with docker's syntax and rules, on real containers. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { berth, describeIf, skipReason } from '../helpers/env.js';
import { runIn, testEngine, type TestEngine } from '../helpers/engine.js';

const reason = skipReason();

describeIf(reason)('volumes and mounts', () => {
  let e: TestEngine;
  let host: string;
  beforeAll(async () => {
    e = await testEngine();
    host = join(e.t.base, 'host');
    mkdirSync(host);
  });
  afterAll(async () => e?.close());
  const run = (args: string[]) => berth(e.t, ['run', '--rm', ...args]);

  it("volume create, ls, inspect (docker's fields and table), rm", async () => {
    expect((await berth(e.t, ['volume', 'create', 'v1'])).stdout).toBe('v1\n');
    expect((await berth(e.t, ['volume', 'create', '--name', 'v2', '-l', 'team=a', '-l', 'x'])).stdout).toBe('v2\n');
    expect((await berth(e.t, ['volume', 'create', 'v1'])).stdout).toBe('v1\n'); // existing: fine, as docker
    const ls = (await berth(e.t, ['volume', 'ls'])).stdout.split('\n');
    expect(ls[0]).toBe('DRIVER    VOLUME NAME');
    expect(ls).toContain('local     v1');
    const info = JSON.parse((await berth(e.t, ['volume', 'inspect', 'v2'])).stdout)[0];
    expect(info).toEqual({
      CreatedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      Driver: 'local',
      Labels: { team: 'a', x: '' },
      Mountpoint: join(e.t.root, 'volumes', 'v2', '_data'),
      Name: 'v2',
      Options: {},
      Scope: 'local',
    });
    expect((await berth(e.t, ['volume', 'inspect', '-f', '{{.Name}} {{.Driver}}', 'v1'])).stdout).toBe('v1 local\n');
    expect((await berth(e.t, ['volume', 'ls', '-q', '-f', 'label=team=a'])).stdout).toBe('v2\n');
    // docker's row method .Label "key" on volume ls rows too
    const labelled = await berth(e.t, [
      'volume',
      'ls',
      '-f',
      'name=v2',
      '--format',
      '{{.Name}} {{.Label "team"}}|{{.Label "no"}}',
    ]);
    expect([labelled.exitCode, labelled.stdout]).toEqual([0, 'v2 a|\n']);
    expect(
      (await berth(e.t, ['volume', 'ls', '-q', '-f', 'name=v'])).stdout.split('\n').filter(Boolean).sort(),
    ).toEqual(['v1', 'v2']);
    expect((await berth(e.t, ['volume', 'rm', 'v1', 'v2'])).stdout).toBe('v1\nv2\n');
    const miss = await berth(e.t, ['volume', 'rm', 'nope']);
    expect([miss.exitCode, miss.stderr]).toEqual([1, 'Error: get nope: no such volume\n']);
    expect((await berth(e.t, ['volume', 'rm', '-f', 'nope'])).exitCode).toBe(0);
    const bad = await berth(e.t, ['volume', 'create', 'bad/name']);
    expect(bad.stderr).toMatch(/includes invalid characters for a local volume name/);
    const badOpt = await berth(e.t, ['volume', 'create', '-o', 'foo=bar', 'x1']);
    expect(badOpt.stderr).toBe('Error: create x1: invalid option: "foo"\n');
    const noDevice = await berth(e.t, ['volume', 'create', '-o', 'type=tmpfs', 'x2']);
    expect([noDevice.exitCode, noDevice.stderr]).toEqual([1, 'Error: create x2: missing required option: "device"\n']);
  });

  it('data written through a named volume outlives the container; copy-up of image content', async () => {
    const w = await run([
      '-v',
      'data1:/var/www',
      'bb-layers:v1',
      'sh',
      '-c',
      'ls /var/www; echo saved > /var/www/saved.txt',
    ]);
    expect(w.stdout).toBe('index.html\n'); // the empty volume got the image's content at the mount point
    const r = await run(['-v', 'data1:/mnt', 'bb', 'sh', '-c', 'cat /mnt/saved.txt /mnt/index.html']);
    expect(r.stdout).toBe('saved\n<h1>hello from berth fixture</h1>\n');
    expect(readFileSync(join(e.t.root, 'volumes', 'data1', '_data', 'saved.txt'), 'utf8')).toBe('saved\n');
    // nocopy: an empty volume stays empty
    expect((await run(['-v', 'data2:/var/www:nocopy', 'bb-layers:v1', 'ls', '/var/www'])).stdout).toBe('');
    // copy-up keeps owners and modes
    const prep = await runIn(e.b, 'bb', [
      'sh',
      '-c',
      'mkdir -p /special/sub && echo s > /special/sub/f && chown -R 1000:1001 /special && chmod 750 /special && chmod 600 /special/sub/f',
    ]);
    await e.b.commitContainer(prep.id, { repo: 'special:1' });
    const o = await run([
      '--mount',
      'type=volume,source=data3,target=/special',
      'special:1',
      'sh',
      '-c',
      'ls -nd /special | cut -c1-10; ls -ln /special/sub/f | cut -c1-10; stat -c "%u:%g" /special /special/sub/f',
    ]);
    expect(o.stdout).toBe('drwxr-x---\n-rw-------\n1000:1001\n1000:1001\n');
  });

  it('bind mounts: -v creates the host directory, --mount requires it; data seen on the host', async () => {
    const created = join(host, 'made-by-v');
    expect((await run(['-v', `${created}:/out`, 'bb', 'sh', '-c', 'echo from-container > /out/f'])).exitCode).toBe(0);
    expect(readFileSync(join(created, 'f'), 'utf8')).toBe('from-container\n');
    writeFileSync(join(host, 'in.txt'), 'from-host');
    expect(
      (await run(['--mount', `type=bind,source=${host},target=/in,readonly`, 'bb', 'cat', '/in/in.txt'])).stdout,
    ).toBe('from-host');
    const missing = await run(['--mount', `type=bind,source=${host}/nope,target=/x`, 'bb', 'true']);
    expect([missing.exitCode, missing.stderr]).toEqual([
      125,
      `Error: invalid mount config for type "bind": bind source path does not exist: ${host}/nope\n`,
    ]);
    // a relative host path is made absolute by the CLI
    const rel = await berth(e.t, ['run', '--rm', '-v', './rel:/r', 'bb', 'sh', '-c', 'echo r > /r/x'], { cwd: host });
    expect(rel.exitCode).toBe(0);
    expect(readFileSync(join(host, 'rel', 'x'), 'utf8')).toBe('r\n');
  });

  it('readonly mounts refuse writes; the image content under a mount is shadowed', async () => {
    const ro = await run(['-v', `${host}:/in:ro`, 'bb', 'sh', '-c', 'touch /in/y 2>&1']);
    expect(ro.stdout).toMatch(/Read-only file system/);
    const ro2 = await run(['--mount', 'type=volume,src=rov,dst=/v,ro', 'bb', 'sh', '-c', 'touch /v/y 2>&1']);
    expect(ro2.stdout).toMatch(/Read-only file system/);
    const shadow = await run(['-v', `${host}:/data`, 'bb-layers:v1', 'ls', '/data']);
    expect(shadow.stdout.split('\n')).not.toContain('a.txt');
  });

  it('tmpfs mounts honour their size and mode', async () => {
    const r = await run([
      '--tmpfs',
      '/scratch:size=2m,mode=1770',
      'bb',
      'sh',
      '-c',
      'ls -ld /scratch | cut -c1-10; dd if=/dev/zero of=/scratch/big bs=1k count=4096 2>/dev/null; wc -c < /scratch/big',
    ]);
    expect(r.stdout.split('\n')).toEqual(['drwxrwx--T', String(2 * 1024 * 1024), '']);
    const m = await run(['--mount', 'type=tmpfs,target=/t,tmpfs-size=1m', 'bb', 'sh', '-c', 'df -k /t | tail -1']);
    expect(m.stdout).toMatch(/\s1024\s/);
  });

  it("anonymous volumes: -v /path and the image's VOLUMEs; rm -v removes them", async () => {
    const c = await berth(e.t, ['create', '-v', '/anon', 'bb', 'true']);
    const id = c.stdout.trim();
    const i = JSON.parse((await berth(e.t, ['inspect', id])).stdout)[0];
    expect(i.Mounts).toHaveLength(1);
    expect(i.Mounts[0]).toMatchObject({
      Type: 'volume',
      Destination: '/anon',
      Driver: 'local',
      Mode: '',
      RW: true,
      Propagation: '',
    });
    const vol = i.Mounts[0].Name;
    expect(vol).toMatch(/^[a-f0-9]{64}$/);
    expect(i.Config.Volumes).toEqual({ '/anon': {} });
    expect((await berth(e.t, ['volume', 'inspect', '-f', '{{json .Labels}}', vol])).stdout).toBe(
      '{"com.docker.volume.anonymous":""}\n',
    );
    expect((await berth(e.t, ['rm', '-v', id])).exitCode).toBe(0);
    expect((await berth(e.t, ['volume', 'inspect', vol])).exitCode).toBe(1);
    // an image that declares a VOLUME
    const img = await berth(e.t, [
      'commit',
      '-c',
      'VOLUME /declared',
      (await runIn(e.b, 'bb', ['true'])).id,
      'withvol:1',
    ]);
    expect(img.exitCode).toBe(0);
    const c2 = (await berth(e.t, ['create', 'withvol:1', 'true'])).stdout.trim();
    const m2 = JSON.parse((await berth(e.t, ['inspect', '-f', '{{json .Mounts}}', c2])).stdout);
    expect(m2).toEqual([expect.objectContaining({ Type: 'volume', Destination: '/declared' })]);
    await berth(e.t, ['rm', c2]); // without -v the anonymous volume stays
    expect((await berth(e.t, ['volume', 'inspect', m2[0].Name])).exitCode).toBe(0);
  });

  it('inspect shows every mount form as docker does: Mounts, Binds, HostConfig.Mounts, Tmpfs, ps', async () => {
    const id = (
      await berth(e.t, [
        'create',
        '-v',
        `${host}:/b1:ro`,
        '-v',
        'nv1:/v1',
        '-v',
        '/anon',
        '--mount',
        `type=bind,src=${host},dst=/b2,bind-propagation=rslave`,
        '--mount',
        'type=volume,src=nv2,dst=/v2,readonly,volume-nocopy',
        '--mount',
        'type=tmpfs,dst=/t1,tmpfs-size=1m,tmpfs-mode=1770',
        '--tmpfs',
        '/t2:size=2m,exec',
        'bb',
        'true',
      ])
    ).stdout.trim();
    const i = JSON.parse((await berth(e.t, ['inspect', id])).stdout)[0];
    const byDest = Object.fromEntries(i.Mounts.map((m: { Destination: string }) => [m.Destination, m]));
    expect(Object.keys(byDest).sort()).toEqual(['/anon', '/b1', '/b2', '/t1', '/v1', '/v2']); // --tmpfs is not among Mounts
    expect(byDest['/b1']).toEqual({
      Type: 'bind',
      Source: host,
      Destination: '/b1',
      Mode: 'ro',
      RW: false,
      Propagation: 'rprivate',
    });
    expect(byDest['/b2']).toEqual({
      Type: 'bind',
      Source: host,
      Destination: '/b2',
      Mode: '',
      RW: true,
      Propagation: 'rslave',
    });
    expect(byDest['/t1']).toEqual({
      Type: 'tmpfs',
      Source: '',
      Destination: '/t1',
      Mode: '',
      RW: true,
      Propagation: '',
    });
    expect(byDest['/v1']).toEqual({
      Type: 'volume',
      Name: 'nv1',
      Source: join(e.t.root, 'volumes', 'nv1', '_data'),
      Destination: '/v1',
      Driver: 'local',
      Mode: 'z',
      RW: true,
      Propagation: '',
    });
    expect(byDest['/v2']).toMatchObject({ Type: 'volume', Name: 'nv2', Mode: 'z', RW: false });
    expect(byDest['/anon']).toMatchObject({ Type: 'volume', Mode: '', RW: true, Driver: 'local' });
    expect(i.HostConfig.Binds).toEqual([`${host}:/b1:ro`, 'nv1:/v1']);
    expect(i.HostConfig.Tmpfs).toEqual({ '/t2': 'size=2m,exec' });
    expect(i.HostConfig.Mounts).toEqual([
      { Type: 'bind', Source: host, Target: '/b2', BindOptions: { Propagation: 'rslave' } },
      {
        Type: 'volume',
        Source: 'nv2',
        Target: '/v2',
        ReadOnly: true,
        VolumeOptions: { NoCopy: true, DriverConfig: {} },
      },
      { Type: 'tmpfs', Target: '/t1', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } },
    ]);
    expect(i.Config.Volumes).toEqual({ '/anon': {} });
    const ps = (await berth(e.t, ['ps', '-a', '--format', '{{.LocalVolumes}} {{.Mounts}}', '-f', `id=${id}`])).stdout
      .trim()
      .split(' ');
    expect(ps[0]).toBe('3');
    // names and sources cut to 15 characters, as docker's table does
    const cut = (x: string) => (x.length > 15 ? `${x.slice(0, 14)}…` : x);
    expect(ps[1]!.split(',').sort()).toEqual(
      ['', cut(host), cut(host), cut(byDest['/anon'].Name), 'nv1', 'nv2'].sort(),
    );
    // and inside the container
    const r = await berth(e.t, ['start', '-a', id]);
    expect(r.exitCode).toBe(0);
    await berth(e.t, ['rm', '-v', id]);
    await berth(e.t, ['volume', 'rm', 'nv1', 'nv2']);
  });

  it('a volume in use cannot be removed; with -f only while no running container holds it', async () => {
    const { id } = await e.b.createContainer({ image: 'bb', cmd: ['sleep', '1000'], volumes: ['busy:/b'] });
    const r = await berth(e.t, ['volume', 'rm', 'busy']);
    expect([r.exitCode, r.stderr]).toEqual([1, `Error: remove busy: volume is in use - [${id}]\n`]);
    await e.b.startContainer(id);
    expect((await berth(e.t, ['volume', 'rm', '-f', 'busy'])).stderr).toBe(
      `Error: remove busy: volume is in use - [${id}]\n`,
    );
    await e.b.stopContainer(id, 0);
    expect((await berth(e.t, ['volume', 'rm', '-f', 'busy'])).stdout).toBe('busy\n');
    await e.b.removeContainer(id);
  });

  it('prune removes unused anonymous volumes, -a all unused; system df counts volumes; system prune --volumes', async () => {
    expect(
      (await run(['-v', 'keepme:/k', 'bb', 'sh', '-c', 'dd if=/dev/zero of=/k/blob bs=1000 count=100'])).exitCode,
    ).toBe(0);
    const anon = (await berth(e.t, ['create', '-v', '/x', 'bb', 'true'])).stdout.trim();
    const anonVol = JSON.parse((await berth(e.t, ['inspect', '-f', '{{json .Mounts}}', anon])).stdout)[0].Name;
    await berth(e.t, ['rm', anon]);
    const user = (await berth(e.t, ['run', '-d', '-v', 'inuse:/u', 'bb', 'sleep', '1000'])).stdout.trim();
    // df: every volume counted, the ones a container uses active, sizes per volume
    const names = (await berth(e.t, ['volume', 'ls', '-q'])).stdout.trim().split('\n');
    const summary = (
      await berth(e.t, ['system', 'df', '--format', '{{.Type}}|{{.TotalCount}}|{{.Active}}'])
    ).stdout.split('\n');
    const [, total, active] = summary.find((l) => l.startsWith('Local Volumes'))!.split('|');
    expect(Number(total)).toBe(names.length);
    expect(Number(active)).toBeGreaterThanOrEqual(1);
    const verbose = (await berth(e.t, ['system', 'df', '-v'])).stdout.split('\n');
    const row = (n: string) =>
      verbose
        .find((l) => l.startsWith(`${n} `))
        ?.trim()
        .split(/\s+/);
    expect(row('keepme')).toEqual(['keepme', '0', '100kB']);
    expect(row('inuse')?.slice(0, 2)).toEqual(['inuse', '1']);
    expect(row(anonVol)?.slice(0, 2)).toEqual([anonVol, '0']);
    // volume prune: unused anonymous ones; -a: every unused one
    const p = await berth(e.t, ['volume', 'prune', '-f']);
    expect(p.stdout).toContain(anonVol);
    expect(p.stdout).not.toContain('keepme');
    expect((await berth(e.t, ['create', '-v', '/y', 'bb', 'true'])).exitCode).toBe(0);
    // system prune --volumes: stopped containers first, then the anonymous volumes they held
    const sys = await berth(e.t, ['system', 'prune', '-f', '--volumes']);
    expect(sys.exitCode).toBe(0);
    expect(sys.stdout).toMatch(/Deleted Containers:\n[a-f0-9]{64}\n/);
    expect(sys.stdout).toMatch(/Deleted Volumes:\n[a-f0-9]{64}\n/);
    expect(sys.stdout).not.toContain('keepme');
    const all = await berth(e.t, ['volume', 'prune', '-a', '-f']);
    expect(all.stdout).toContain('keepme');
    expect(all.stdout).not.toContain('inuse');
    expect((await berth(e.t, ['volume', 'ls', '-q', '-f', 'dangling=true'])).stdout).toBe('');
    expect((await berth(e.t, ['volume', 'ls', '-q', '-f', 'name=inuse'])).stdout).toBe('inuse\n');
    await berth(e.t, ['rm', '-f', user]);
  });

  it('commit and export leave mounted volume contents out', async () => {
    const { id } = await e.b.createContainer({
      image: 'bb',
      cmd: ['sh', '-c', 'echo in-volume > /vol/file; echo in-rootfs > /rootfile'],
      volumes: ['cv:/vol'],
    });
    const { session } = await e.b.startContainer(id, { attach: {} });
    await session!.exited;
    await e.b.commitContainer(id, { repo: 'novol:1' });
    const r = await runIn(e.b, 'novol:1', ['sh', '-c', 'cat /rootfile; ls -A /vol']);
    expect(r.stdout).toBe('in-rootfs\n');
    const out = join(e.t.base, 'exp.tar');
    await berth(e.t, ['export', '-o', out, id]);
    const names = execFileSync('tar', ['-tf', out]).toString().split('\n');
    expect(names).toContain('rootfile');
    expect(names).not.toContain('vol/file');
  });

  it("bad specs get one line naming what is wrong, with docker's messages and exit codes", async () => {
    // what the docker CLI refuses is a usage error (125); what its daemon refuses, an engine error (1)
    const usage = (msg: string) => [125, `berth: ${msg}\nSee 'berth create --help'.\n`];
    const engine = (msg: string) => [1, `Error: ${msg}\n`];
    const cases: [string[], (string | number)[]][] = [
      [
        ['-v', 'a:b'],
        engine(
          `invalid volume specification: 'a:b': invalid mount config for type "volume": invalid mount path: 'b' mount path must be absolute`,
        ),
      ],
      [['-v', '/x:/y:zz'], engine('invalid mode: zz')],
      [['-v', '/x:/y:ro,rw'], engine('invalid mode: ro,rw')],
      [['-v', 'a:b:c:d'], engine("invalid volume specification: 'a:b:c:d'")],
      [['-v', '/x:rw'], engine("invalid volume specification: '/x:rw'")],
      [['-v', ':/x'], usage('invalid spec: :/x: empty section between colons')],
      [
        ['-v', 'bad$name:/x'],
        engine(
          `create bad$name: "bad$name" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
        ),
      ],
      [
        ['-v', 'v:/x'],
        engine('create v: volume name is too short, names should be at least two alphanumeric characters'),
      ],
      [
        ['-v', '/x:/'],
        engine(
          `invalid volume specification: '/x:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`,
        ),
      ],
      [
        ['-v', '/x:/y:nocopy'],
        engine(
          `invalid volume specification: '/x:/y:nocopy': invalid mount config for type "bind": field VolumeOptions must not be specified`,
        ),
      ],
      [
        ['-v', 'vol:/x:rshared'],
        engine(
          `invalid volume specification: 'vol:/x:rshared': invalid mount config for type "volume": field BindOptions must not be specified`,
        ),
      ],
      [
        ['--mount', 'type=bind,target=/x'],
        engine('invalid mount config for type "bind": field Source must not be empty'),
      ],
      [
        ['--mount', 'type=volume,src=v'],
        usage('invalid argument "type=volume,src=v" for "--mount" flag: target is required'),
      ],
      [['--mount', 'type=nfs,target=/x'], engine('invalid mount config for type "nfs": mount type unknown')],
      [
        ['--mount', 'type=volume,target=/x,foo=bar'],
        usage(`invalid argument "type=volume,target=/x,foo=bar" for "--mount" flag: unexpected key 'foo' in 'foo=bar'`),
      ],
      [
        ['--mount', 'nokey'],
        usage(`invalid argument "nokey" for "--mount" flag: invalid field 'nokey' must be a key=value pair`),
      ],
      [
        ['--mount', 'type=volume,target=/x,bind-propagation=shared'],
        usage(
          `invalid argument "type=volume,target=/x,bind-propagation=shared" for "--mount" flag: cannot mix 'bind-*' options with mount type 'volume'`,
        ),
      ],
      [
        ['--mount', 'type=tmpfs,target=/x,tmpfs-size=lots'],
        usage(
          'invalid argument "type=tmpfs,target=/x,tmpfs-size=lots" for "--mount" flag: invalid value for tmpfs-size: lots',
        ),
      ],
      [
        ['--mount', 'type=tmpfs,src=x,target=/x'],
        engine('invalid mount config for type "tmpfs": field Source must not be specified'),
      ],
      [
        ['--mount', 'type=bind,src=rel,target=/x'],
        engine(`invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`),
      ],
      [
        ['--mount', 'type=bind,src=/tmp,target=/x,bind-propagation=weird'],
        engine('invalid mount config for type "bind": invalid propagation mode: weird'),
      ],
      [
        ['--mount', 'type=volume,target=/'],
        engine(`invalid mount config for type "volume": invalid specification: destination can't be '/'`),
      ],
      [['--mount', 'type=volume,src=vv,target=/x,volume-opt=foo=1'], engine('create vv: invalid option: "foo"')],
      [['--tmpfs', 'rel'], engine(`invalid mount path: 'rel' mount path must be absolute`)],
      [['--tmpfs', '/t:size=lots'], engine('invalid tmpfs option "size=lots" in "/t:size=lots"')],
      [['-v', '/a:/same', '-v', '/b:/same'], engine('Duplicate mount point: /same')],
    ];
    for (const [flags, want] of cases) {
      const r = await berth(e.t, ['create', ...flags, 'bb', 'true']);
      expect([r.exitCode, r.stderr], flags.join(' ')).toEqual(want);
    }
    // run reports every refusal with 125, as docker run does
    const run = await berth(e.t, ['run', '--rm', '--mount', 'type=nfs,target=/x', 'bb', 'true']);
    expect([run.exitCode, run.stderr]).toEqual([
      125,
      'Error: invalid mount config for type "nfs": mount type unknown\n',
    ]);
    expect((await berth(e.t, ['volume', 'ls', '-q'])).stdout.split('\n')).not.toContain('vv');
    expect(existsSync(join(e.t.base, 'no-such-dir'))).toBe(false);
    expect(statSync(host).isDirectory()).toBe(true);
  });
});
