/**
 * Comparing built images between berth and the peer docker: each is saved
 * (`save` of either engine), its config and history read, and every layer
 * listed entry by entry (name, type, mode, owner, size, content digest, link
 * target; whiteouts are entries too) without modification times, which
 * differ between any two builds.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { readTar } from '../../src/engine/tar/reader.js';

export interface Entry {
  name: string;
  type: string;
  mode: string;
  owner: string;
  size: number;
  sha: string;
  link: string;
}

export interface SavedImage {
  config: Record<string, unknown> & {
    config: Record<string, unknown>;
    history: { created_by?: string; empty_layer?: boolean; comment?: string }[];
    rootfs: { diff_ids: string[] };
  };
  layers: Entry[][];
}

async function tarFiles(buf: Buffer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const links = new Map<string, string>();
  for await (const e of readTar(Readable.from([buf]))) {
    if (e.header.type === 'file') out.set(e.header.name.replace(/^\.\//, ''), await e.buffer());
    else if (e.header.type === 'symlink' || e.header.type === 'link') links.set(e.header.name, e.header.linkname);
  }
  // docker <= 24 writes some layer.tar entries as symlinks to another layer's
  for (const [name, target] of links) {
    const dir = name.split('/').slice(0, -1).join('/');
    const abs = target.startsWith('../') ? target.slice(3) : dir ? `${dir}/${target}` : target;
    const data = out.get(abs);
    if (data) out.set(name, data);
  }
  return out;
}

export async function layerEntries(tar: Buffer): Promise<Entry[]> {
  const out: Entry[] = [];
  for await (const e of readTar(Readable.from([tar]), { allowEmpty: true })) {
    const h = e.header;
    const body = await e.buffer();
    out.push({
      name: h.name.replace(/^\.\//, '').replace(/\/$/, ''),
      type: h.type,
      mode: (h.mode & 0o7777).toString(8),
      owner: `${h.uid}:${h.gid}`,
      size: h.type === 'file' ? body.length : 0,
      sha: h.type === 'file' ? createHash('sha256').update(body).digest('hex').slice(0, 16) : '',
      link: h.linkname,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** An image out of a `save` archive (docker 20.10's or berth's layout). */
export async function readSaved(archive: Buffer): Promise<SavedImage> {
  const files = await tarFiles(archive);
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as { Config: string; Layers: string[] }[];
  const m = manifest[0]!;
  const config = JSON.parse(files.get(m.Config)!.toString()) as SavedImage['config'];
  const layers: Entry[][] = [];
  for (const l of m.Layers) layers.push(await layerEntries(files.get(l)!));
  return { config, layers };
}

export const CONFIG_FIELDS = [
  'Env',
  'Cmd',
  'Entrypoint',
  'WorkingDir',
  'User',
  'ExposedPorts',
  'Volumes',
  'Labels',
  'StopSignal',
  'Healthcheck',
  'Shell',
  'OnBuild',
] as const;

const empty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === '' ||
  (Array.isArray(v) && !v.length) ||
  (typeof v === 'object' && !Array.isArray(v) && !Object.keys(v as object).length);

/** The compared config fields, empty ones as null. */
export function configFields(c: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(CONFIG_FIELDS.map((k) => [k, empty(c[k]) ? null : c[k]]));
}

export function historyOf(c: SavedImage['config']): string[] {
  return c.history.map((h) => `${h.created_by ?? ''}${h.empty_layer ? ' (empty)' : ''} [${h.comment ?? ''}]`);
}
