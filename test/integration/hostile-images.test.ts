/**
 * What an image author must not be able to do, each played by a hostile
 * archive built here: name a host path or another volume as a VOLUME (refused
 * at load, import and commit; a record that got into the store anyway is a
 * target path only), touch a host file's times through a layer, read the
 * host's passwd through an /etc symlink, exhaust memory with documents or a
 * decompression bomb, or slip a config or manifest past its OCI descriptor.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageArchive, sha, tarBuffer, tarItems, type Item } from '../helpers/archives.js';
import { berth, describeIf, fixture, skipReason, tempRoot, type TempRoot } from '../helpers/env.js';
import { Engine } from '../../src/engine/engine.js';
import { chainIds } from '../../src/engine/layer/chain.js';
import { immediate } from '../../src/engine/store/db.js';
import { BB_ID, DIFF } from '../helpers/facts.js';

const reason = skipReason();

/** The busybox root layer of the bb fixture, as a tar. */
async function bbLayer(): Promise<Buffer> {
  const items = await tarItems(readFileSync(fixture('busybox.docker-save.tar')));
  return items.find((i) => i.h.name.endsWith('/layer.tar'))!.data as Buffer;
}

describeIf(reason)('hostile images', () => {
  let t: TempRoot;
  let n = 0;
  beforeAll(async () => {
    t = tempRoot('berth-hostile-');
    expect((await berth(t, ['load', '-q', '-i', fixture('busybox.docker-save.tar')])).exitCode).toBe(0);
  });
  afterAll(() => t.cleanup());

  const file = (data: Buffer) => {
    const f = join(t.base, `a${n++}.tar`);
    writeFileSync(f, data);
    return f;
  };
  const images = async () => (await berth(t, ['images', '-a', '-q', '--no-trunc'])).stdout.split('\n').filter(Boolean);
  const volumes = async () => (await berth(t, ['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean);

  describe('an image VOLUME is a path inside the container, never a mount spec', () => {
    it('load refuses VOLUME keys that are mount specs or not absolute', async () => {
      const before = await images();
      for (const key of ['/:/host', 'vol:/x', 'data', '/etc/../']) {
        const archive = await imageArchive([await bbLayer()], {
          tag: 'evil/vol:1',
          config: { config: { Cmd: ['sh'], Volumes: { [key]: {} } } },
        });
        const r = await berth(t, ['load', '-i', file(archive)]);
        expect(r.exitCode, key).toBe(1);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/invalid VOLUME/);
        expect(r.stderr).toContain(JSON.stringify(key).slice(1, -1));
      }
      expect(await images()).toEqual(before);
      // a VOLUME that is a path loads
      const good = await imageArchive([await bbLayer()], {
        tag: 'fine/vol:1',
        config: { config: { Cmd: ['sh'], Volumes: { '/data': {} } } },
      });
      expect((await berth(t, ['load', '-i', file(good)])).stdout).toBe('Loaded image: fine/vol:1\n');
    });

    it('import and commit refuse -c VOLUME with a mount spec', async () => {
      const layer = file(await bbLayer());
      const imp = await berth(t, ['import', '-c', 'VOLUME /:/host', layer, 'evil/imp:1']);
      expect(imp.exitCode).toBe(1);
      expect(imp.stderr).toMatch(/invalid VOLUME "\/:\/host"/);
      const id = (await berth(t, ['create', 'bb', 'true'])).stdout.trim();
      const com = await berth(t, ['commit', '-c', 'VOLUME ["vol:/x"]', id, 'evil/com:1']);
      expect(com.exitCode).toBe(1);
      expect(com.stderr).toMatch(/invalid VOLUME "vol:\/x"/);
      expect((await berth(t, ['images', '-q', 'evil/imp:1'])).stdout).toBe('');
      expect((await berth(t, ['images', '-q', 'evil/com:1'])).stdout).toBe('');
      await berth(t, ['rm', id]);
    });

    it('a record already in the store with such keys: "/:/host" is an empty volume there, "vol:/x" is refused', async () => {
      // what an older berth let in: the bb image with hostile VOLUMEs, written into the store directly
      const e = Engine.open({ root: t.root, runroot: t.runroot });
      try {
        const base = JSON.parse(readFileSync(join(t.root, 'blobs', 'sha256', BB_ID.slice(7)), 'utf8'));
        const plant = (tag: string, vols: Record<string, object>) => {
          const bytes = Buffer.from(JSON.stringify({ ...base, config: { ...base.config, Volumes: vols } }));
          const id = e.store.blobs.put(bytes);
          immediate(e.store.db, () => {
            e.store.images.insertImage(
              {
                id,
                created: base.created,
                addedAt: Date.now(),
                size: 0,
                parent: null,
                diffIds: [DIFF[0]!],
                topLayer: chainIds([DIFF[0]!])[0]!,
                lastTagAt: null,
              },
              chainIds([DIFF[0]!]),
            );
            e.store.images.setTag(tag, id, Date.now());
          });
        };
        plant('docker.io/planted/root:1', { '/:/host': {} });
        plant('docker.io/planted/vol:1', { 'vol:/x': {} });
      } finally {
        e.close();
      }
      await berth(t, ['volume', 'create', 'vol']);
      await berth(t, ['run', '--rm', '-v', 'vol:/v', 'bb', 'sh', '-c', 'echo secret > /v/s']);
      const r = await berth(t, [
        'run',
        '--rm',
        'planted/root:1',
        'sh',
        '-c',
        'ls -A "/:/host"; [ -e /host/proc/1 ] && echo HOST ROOT MOUNTED; echo end',
      ]);
      expect(r.stderr).toBe('');
      // an empty anonymous volume at "/:/host"; nothing at /host (the -v reading: the host's root there)
      expect(r.stdout).toBe('end\n');
      const inspect = JSON.parse((await berth(t, ['inspect', 'planted/root:1'])).stdout)[0];
      expect(Object.keys(inspect.Config.Volumes)).toEqual(['/:/host']);
      const v = await berth(t, ['run', '--rm', 'planted/vol:1', 'sh', '-c', 'cat /x/s']);
      expect(v.exitCode).toBe(125);
      expect(v.stderr).toMatch(
        /invalid VOLUME in the image config: invalid mount path: 'vol:\/x' mount path must be absolute/,
      );
      expect((await berth(t, ['ps', '-a', '-q', '-f', 'ancestor=planted/vol:1'])).stdout).toBe('');
    });
  });

  it('a layer cannot set the times of a host file through "a/" then "a" -> host file', async () => {
    const victim = join(t.base, 'victim');
    writeFileSync(victim, 'host file\n');
    utimesSync(victim, 1_700_000_000, 1_700_000_000);
    const layer = await tarBuffer([
      { h: { name: 'a/', type: 'dir', mode: 0o755, mtime: 1_000_000_000 } },
      { h: { name: 'a', type: 'symlink', linkname: victim, mtime: 1_100_000_000 } },
    ]);
    const r = await berth(t, ['load', '-i', file(await imageArchive([layer], { tag: 'evil/times:1' }))]);
    expect(r.stdout).toBe('Loaded image: evil/times:1\n');
    expect(statSync(victim).mtimeMs).toBe(1_700_000_000_000);
    expect(statSync(victim).atimeMs).toBe(1_700_000_000_000);
  });

  describe("user lookup resolves inside the image's root", () => {
    const hostOnlyUser = () =>
      readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .map((l) => l.split(':'))
        .find((f) => f.length > 3 && f[0] !== 'root' && /^\d+$/.test(f[2]!))!;

    it("an /etc that is a link to the host's /etc does not reach the host's passwd", async () => {
      const [name, , uid] = hostOnlyUser();
      const top = await tarBuffer([{ h: { name: 'etc', type: 'symlink', linkname: '/etc' } }]);
      const archive = await imageArchive([await bbLayer(), top], { tag: 'evil/etc:1' });
      expect((await berth(t, ['load', '-i', file(archive)])).exitCode).toBe(0);
      const r = await berth(t, ['run', '--rm', '-u', name!, 'evil/etc:1', 'id', '-u']);
      expect(r.stdout).not.toBe(`${uid}\n`);
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(new RegExp(`unable to find user ${name}: no matching entries in passwd file`));
    });

    it("an absolute link inside the image resolves in the image's root", async () => {
      const top = await tarBuffer([
        { h: { name: 'lib/', type: 'dir', mode: 0o755 } },
        {
          h: { name: 'lib/pw', type: 'file', mode: 0o644 },
          data: 'root:x:0:0::/root:/bin/sh\nimguser:x:4321:4321::/:/bin/sh\n',
        },
        { h: { name: 'etc/', type: 'dir', mode: 0o755 } },
        { h: { name: 'etc/passwd', type: 'symlink', linkname: '/lib/../lib/pw' } },
      ]);
      const archive = await imageArchive([await bbLayer(), top], { tag: 'fine/etc:1' });
      expect((await berth(t, ['load', '-i', file(archive)])).exitCode).toBe(0);
      const r = await berth(t, ['run', '--rm', '-u', 'imguser', 'fine/etc:1', 'id', '-u']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('4321\n');
    });
  });

  describe('OCI descriptors are checked at load', () => {
    /** The OCI fixture with one blob (the config, or the manifest) changed under its old name. */
    async function tampered(which: 'config' | 'manifest'): Promise<Buffer> {
      const items = await tarItems(readFileSync(fixture('layers.oci-archive.tar')));
      const byName = (name: string) => items.find((i) => i.h.name.replace(/^\.\//, '') === name)!;
      const index = JSON.parse(String(byName('index.json').data));
      const mDigest: string = index.manifests[0].digest;
      const manifest = byName(`blobs/sha256/${mDigest.slice(7)}`);
      if (which === 'manifest') {
        manifest.data = Buffer.concat([manifest.data as Buffer, Buffer.from('\n')]);
      } else {
        const cDigest: string = JSON.parse(String(manifest.data)).config.digest;
        const config = byName(`blobs/sha256/${cDigest.slice(7)}`);
        const c = JSON.parse(String(config.data));
        c.config.Env = [...(c.config.Env ?? []), 'INJECTED=1'];
        config.data = Buffer.from(JSON.stringify(c));
      }
      return tarBuffer(items.map((i): Item => ({ h: { ...i.h }, ...(i.data ? { data: i.data } : {}) })));
    }

    it('a config blob that is not what the manifest names is refused', async () => {
      const before = await images();
      const r = await berth(t, ['load', '-i', file(await tampered('config'))]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/image config blobs\/sha256\/[0-9a-f]{64}: digest mismatch: descriptor says sha256:/);
      expect(await images()).toEqual(before);
    });

    it('a manifest blob that is not what the index names is refused', async () => {
      const r = await berth(t, ['load', '-i', file(await tampered('manifest'))]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/manifest blobs\/sha256\/[0-9a-f]{64}: digest mismatch/);
    });

    it('the untouched fixture loads (the rewriting helper is not what fails)', async () => {
      const items = await tarItems(readFileSync(fixture('layers.oci-archive.tar')));
      const r = await berth(t, ['load', '-i', file(await tarBuffer(items))]);
      expect(r.exitCode).toBe(0);
    });
  });

  describe('load keeps its memory bound whatever the archive holds', () => {
    const PEAK_LIMIT_KB = 128 * 1024; // the README's figure for a hostile archive

    /** Run load under GNU time; its peak resident set in KiB. */
    function peakLoad(archive: string): { code: number; stderr: string; peakKb: number } {
      let stderr = '';
      let code = 0;
      try {
        execFileSync(
          '/usr/bin/time',
          ['-f', 'PEAK %M', 'node', join(process.cwd(), 'dist/cli/main.cjs'), 'load', '-q', '-i', archive],
          {
            env: { ...process.env, ...t.env },
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
      } catch (e) {
        const err = e as { status: number; stderr: Buffer };
        code = err.status;
        stderr = String(err.stderr);
      }
      const m = /PEAK (\d+)/.exec(stderr);
      return { code, stderr: stderr.replace(/^Command exited.*\n/m, ''), peakKb: Number(m?.[1] ?? -1) };
    }

    it('a gzip bomb of JSON documents (320 MiB inflated) fails within the bound', async () => {
      const doc = Buffer.alloc(8 * 1024 * 1024, 0x20);
      doc[0] = 0x7b;
      const items: Item[] = Array.from({ length: 40 }, (_, i) => ({
        h: { name: `bomb${i}.json`, type: 'file' },
        data: doc,
      }));
      const bomb = gzipSync(await tarBuffer(items), { level: 9 });
      expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
      const before = await images();
      const r = peakLoad(file(bomb));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/index documents exceed 32 MiB/);
      expect(r.peakKb).toBeGreaterThan(0);
      expect(r.peakKb).toBeLessThan(PEAK_LIMIT_KB);
      expect(await images()).toEqual(before);
    });

    it('10,000 small JSON members fail within the bound', async () => {
      const items: Item[] = Array.from({ length: 10_000 }, (_, i) => ({
        h: { name: `m/${i}.json`, type: 'file' },
        data: `{"n":${i},"pad":"${'x'.repeat(32 * 1024)}"}`,
      }));
      const r = peakLoad(file(gzipSync(await tarBuffer(items), { level: 1 })));
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/index documents exceed 32 MiB/);
      expect(r.peakKb).toBeLessThan(PEAK_LIMIT_KB);
    });

    it('global PAX records that never end are refused', async () => {
      // PAX records "len key=value\n", len counting itself; 2,000 distinct keys of 1 KB: 2 MB of globals
      const record = (k: string, v: string) => {
        const body = ` ${k}=${v}\n`;
        let len = body.length + 1;
        while (String(len).length + body.length !== len) len = String(len).length + body.length;
        return `${len}${body}`;
      };
      const g = Buffer.from(Array.from({ length: 2000 }, (_, i) => record(`x.${'k'.repeat(1000)}${i}`, 'v')).join(''));
      const archive = await tarBuffer([
        { h: { name: 'pax_global_header', type: 'file' }, data: g },
        { h: { name: 'manifest.json', type: 'file' }, data: '[]' },
      ]);
      // the writer cannot write a 'g' entry: turn the first header's type flag into one
      archive[156] = 0x67;
      let sum = 0;
      archive.fill(0x20, 148, 156);
      for (let i = 0; i < 512; i++) sum += archive[i]!;
      archive.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
      const r = await berth(t, ['load', '-i', file(archive)]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/global PAX records exceed 1 MiB/);
    });
  });

  it('the planted and refused images left no volumes behind but those made on purpose', async () => {
    const vs = await volumes();
    expect(vs).toContain('vol');
    expect(existsSync(join(t.root, 'volumes', 'x'))).toBe(false);
  });

  it('sanity: the busybox layer helper gives the fixture layer', async () => {
    expect(sha(await bbLayer())).toBe(DIFF[0]);
  });
});
