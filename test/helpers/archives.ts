/** Build image archives in tests: docker-archive layouts with chosen (and broken) content. */
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { newHeader, type TarHeader } from '../../src/engine/tar/header.js';
import { TarWriter } from '../../src/engine/tar/writer.js';
import { readTar } from '../../src/engine/tar/reader.js';

export type Item = { h: Partial<TarHeader> & { name: string; type: TarHeader['type'] }; data?: Buffer | string };

export async function tarBuffer(items: Item[]): Promise<Buffer> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (c: Buffer) => parts.push(c));
  const w = new TarWriter(out);
  for (const it of items) {
    const data = it.data === undefined ? undefined : Buffer.isBuffer(it.data) ? it.data : Buffer.from(it.data);
    await w.add(newHeader({ ...it.h, size: data?.length ?? 0 }), data);
  }
  await w.finish();
  return Buffer.concat(parts);
}

export const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');

/**
 * A docker-archive (docker >= 25 layout: blobs/sha256) holding one image with
 * the given layer tars. `diffIds` defaults to the true digests; pass others
 * to make a lying archive.
 */
export async function imageArchive(
  layers: Buffer[],
  opts: {
    tag?: string;
    diffIds?: string[];
    extra?: Item[];
    created?: string;
    /** Fields of the image config set over the defaults (config, history, author, ...). */
    config?: Record<string, unknown>;
  } = {},
): Promise<Buffer> {
  const diffIds = opts.diffIds ?? layers.map(sha);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: opts.created ?? '2026-01-01T00:00:00Z',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map(() => ({ created: '2026-01-01T00:00:00Z', created_by: 'test' })),
      ...opts.config,
    }),
  );
  const cfgHex = sha(config).slice(7);
  const items: Item[] = [{ h: { name: `blobs/sha256/${cfgHex}`, type: 'file' }, data: config }];
  layers.forEach((l) => items.push({ h: { name: `blobs/sha256/${sha(l).slice(7)}`, type: 'file' }, data: l }));
  items.push({
    h: { name: 'manifest.json', type: 'file' },
    data: JSON.stringify([
      {
        Config: `blobs/sha256/${cfgHex}`,
        RepoTags: [opts.tag ?? 'test/img:1'],
        Layers: layers.map((l) => `blobs/sha256/${sha(l).slice(7)}`),
      },
    ]),
  });
  items.push(...(opts.extra ?? []));
  return tarBuffer(items);
}

/**
 * An archive exactly as `docker save` of docker 25 and later writes it
 * (moby daemon/internal/image/tarexport/save.go): everything under
 * blobs/sha256 — per layer a legacy v1 JSON that nothing references, the
 * uncompressed layer tars named by DiffID, the image config, the OCI
 * manifest — then index.json (with containerd's image-name annotation),
 * manifest.json (Config and Layers pointing into blobs/), oci-layout and
 * repositories, in the lexical order of docker's directory walk, with the
 * blobs directories as entries of their own.
 */
export async function docker25Archive(
  layers: Buffer[],
  repoTag: string,
  name: string,
): Promise<{ archive: Buffer; id: string }> {
  const diffIds = layers.map(sha);
  const created = '2026-02-03T04:05:06.123456789Z';
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      config: {
        Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        Cmd: ['sh'],
        WorkingDir: '/',
        OnBuild: null,
      },
      created,
      history: layers.map((_, i) => ({ created, created_by: `step ${i}` })),
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: diffIds },
    }),
  );
  const id = sha(config);
  const blobs = new Map<string, Buffer>();
  let parent = '';
  layers.forEach((l, i) => {
    const v1 = Buffer.from(
      JSON.stringify({
        id: createHash('sha256').update(`${parent} ${diffIds[i]}`).digest('hex'),
        ...(parent ? { parent } : {}),
        created: i === layers.length - 1 ? created : '1970-01-01T00:00:00Z',
        container_config: { Hostname: '', Cmd: null, Image: '' },
        os: 'linux',
      }),
    );
    parent = JSON.parse(v1.toString()).id;
    blobs.set(sha(v1).slice(7), v1);
    blobs.set(diffIds[i]!.slice(7), l);
  });
  blobs.set(id.slice(7), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: id, size: config.length },
      layers: layers.map((l, i) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: diffIds[i],
        size: l.length,
      })),
    }),
  );
  blobs.set(sha(manifest).slice(7), manifest);
  const tag = repoTag.slice(repoTag.lastIndexOf(':') + 1);
  const repo = repoTag.slice(0, repoTag.lastIndexOf(':'));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: sha(manifest),
        size: manifest.length,
        annotations: { 'io.containerd.image.name': name, 'org.opencontainers.image.ref.name': tag },
      },
    ],
  };
  const items: Item[] = [
    { h: { name: 'blobs/', type: 'dir', mode: 0o755 } },
    { h: { name: 'blobs/sha256/', type: 'dir', mode: 0o755 } },
    ...[...blobs.keys()]
      .sort()
      .map((hex): Item => ({ h: { name: `blobs/sha256/${hex}`, type: 'file', mode: 0o644 }, data: blobs.get(hex)! })),
    { h: { name: 'index.json', type: 'file', mode: 0o644 }, data: JSON.stringify(index) },
    {
      h: { name: 'manifest.json', type: 'file', mode: 0o644 },
      data:
        JSON.stringify([
          {
            Config: `blobs/sha256/${id.slice(7)}`,
            RepoTags: [repoTag],
            Layers: diffIds.map((d) => `blobs/sha256/${d.slice(7)}`),
          },
        ]) + '\n',
    },
    { h: { name: 'oci-layout', type: 'file', mode: 0o644 }, data: '{"imageLayoutVersion": "1.0.0"}' },
    {
      h: { name: 'repositories', type: 'file', mode: 0o644 },
      data: JSON.stringify({ [repo]: { [tag]: diffIds[diffIds.length - 1]!.slice(7) } }) + '\n',
    },
  ];
  return { archive: await tarBuffer(items), id };
}

/** Every member of a tar archive with its data, in order (for rewriting fixtures). */
export async function tarItems(archive: Buffer): Promise<Item[]> {
  const out: Item[] = [];
  for await (const e of readTar(Readable.from([archive]))) {
    const data = await e.buffer();
    out.push({ h: { ...e.header }, ...(e.header.type === 'file' ? { data } : {}) });
  }
  return out;
}
