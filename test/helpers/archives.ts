/** Build image archives in tests: docker-archive layouts with chosen (and broken) content. */
import { createHash } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { newHeader, type TarHeader } from '../../src/engine/tar/header.js';
import { TarWriter } from '../../src/engine/tar/writer.js';

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
  opts: { tag?: string; diffIds?: string[]; extra?: Item[]; created?: string } = {},
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
    }),
  );
  const cfgHex = sha(config).slice(7);
  const items: Item[] = [{ h: { name: `blobs/sha256/${cfgHex}`, type: 'file' }, data: config }];
  layers.forEach((l) => items.push({ h: { name: `blobs/sha256/${sha(l).slice(7)}`, type: 'file' }, data: l }));
  items.push({
    h: { name: 'manifest.json', type: 'file' },
    data: JSON.stringify([
      { Config: `blobs/sha256/${cfgHex}`, RepoTags: [opts.tag ?? 'test/img:1'], Layers: layers.map((l) => `blobs/sha256/${sha(l).slice(7)}`) },
    ]),
  });
  items.push(...(opts.extra ?? []));
  return tarBuffer(items);
}
