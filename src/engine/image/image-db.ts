/**
 * SQL for images, tags and layers. Thin: no policy (that is in the image
 * service), only reads and writes of rows. Callers wrap multi-step writes in
 * immediate() transactions.
 */
import { familiarString, parseReference } from '../reference/reference.js';
import { statement, type Db } from '../store/db.js';
import type { ImageRow, LayerRow } from './types.js';

interface ImageSql {
  id: string;
  created: string;
  added_at: number;
  size: number;
  parent: string | null;
  diff_ids: string;
  top_layer: string | null;
  last_tag_at: number | null;
}

const toImage = (r: ImageSql): ImageRow => ({
  id: r.id,
  created: r.created,
  addedAt: r.added_at,
  size: r.size,
  parent: r.parent,
  diffIds: JSON.parse(r.diff_ids) as string[],
  topLayer: r.top_layer,
  lastTagAt: r.last_tag_at,
});

interface LayerSql {
  chain_id: string;
  diff_id: string;
  parent: string | null;
  size: number;
  tar_size: number;
}

const toLayer = (r: LayerSql): LayerRow => ({
  chainId: r.chain_id,
  diffId: r.diff_id,
  parent: r.parent,
  size: r.size,
  tarSize: r.tar_size,
});

/** Normalised names sorted as docker sorts references: by their familiar string, bytewise. */
function lexical(names: string[]): string[] {
  const key = (n: string) => familiarString(parseReference(n));
  return names
    .map((n) => [key(n), n] as const)
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, n]) => n);
}

export class ImageDb {
  constructor(readonly db: Db) {}

  image(id: string): ImageRow | null {
    const r = statement(this.db, 'SELECT * FROM images WHERE id = ?').get(id) as ImageSql | undefined;
    return r ? toImage(r) : null;
  }

  images(): ImageRow[] {
    return (statement(this.db, 'SELECT * FROM images').all() as ImageSql[]).map(toImage);
  }

  idsWithPrefix(hexPrefix: string): string[] {
    return (
      this.db
        .prepare('SELECT id FROM images WHERE id >= ? AND id < ? LIMIT 2')
        .all(`sha256:${hexPrefix}`, `sha256:${hexPrefix}\u{10FFFF}`) as { id: string }[]
    ).map((r) => r.id);
  }

  children(id: string): string[] {
    return (statement(this.db, 'SELECT id FROM images WHERE parent = ?').all(id) as { id: string }[]).map((r) => r.id);
  }

  tagTarget(name: string): string | null {
    const r = statement(this.db, 'SELECT image_id FROM tags WHERE name = ?').get(name) as
      { image_id: string } | undefined;
    return r?.image_id ?? null;
  }

  digestTarget(name: string): string | null {
    const r = statement(this.db, 'SELECT image_id FROM repo_digests WHERE name = ?').get(name) as
      { image_id: string } | undefined;
    return r?.image_id ?? null;
  }

  /** Tags of an image in docker's order: lexical by familiar name (moby's lexicalRefs). */
  tagsOf(id: string): string[] {
    return lexical(
      (statement(this.db, 'SELECT name FROM tags WHERE image_id = ?').all(id) as { name: string }[]).map((r) => r.name),
    );
  }

  digestsOf(id: string): string[] {
    return (
      statement(this.db, 'SELECT name FROM repo_digests WHERE image_id = ? ORDER BY name').all(id) as { name: string }[]
    ).map((r) => r.name);
  }

  /** Every tag and repo digest, grouped by image. */
  allNames(): { tags: Map<string, string[]>; digests: Map<string, string[]> } {
    const tags = new Map<string, string[]>();
    for (const r of statement(this.db, 'SELECT name, image_id FROM tags').all() as {
      name: string;
      image_id: string;
    }[]) {
      (tags.get(r.image_id) ?? tags.set(r.image_id, []).get(r.image_id)!).push(r.name);
    }
    const digests = new Map<string, string[]>();
    for (const r of statement(this.db, 'SELECT name, image_id FROM repo_digests ORDER BY name').all() as {
      name: string;
      image_id: string;
    }[]) {
      (digests.get(r.image_id) ?? digests.set(r.image_id, []).get(r.image_id)!).push(r.name);
    }
    for (const [id, list] of tags) tags.set(id, lexical(list));
    return { tags, digests };
  }

  layer(chainId: string): LayerRow | null {
    const r = statement(this.db, 'SELECT * FROM layers WHERE chain_id = ?').get(chainId) as LayerSql | undefined;
    return r ? toLayer(r) : null;
  }

  layers(): LayerRow[] {
    return (statement(this.db, 'SELECT * FROM layers').all() as LayerSql[]).map(toLayer);
  }

  layersOf(imageId: string): LayerRow[] {
    return (
      this.db
        .prepare(
          'SELECT l.* FROM image_layers il JOIN layers l ON l.chain_id = il.chain_id WHERE il.image_id = ? ORDER BY il.idx',
        )
        .all(imageId) as LayerSql[]
    ).map(toLayer);
  }

  insertLayer(l: LayerRow, now: number): void {
    this.db
      .prepare('INSERT INTO layers (chain_id, diff_id, parent, size, tar_size, added_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(l.chainId, l.diffId, l.parent, l.size, l.tarSize, now);
  }

  insertImage(img: ImageRow, chainIds: string[]): void {
    this.db
      .prepare(
        `INSERT INTO images (id, created, added_at, size, parent, diff_ids, top_layer, last_tag_at)
         VALUES (@id, @created, @addedAt, @size, @parent, @diffIds, @topLayer, @lastTagAt)`,
      )
      .run({ ...img, diffIds: JSON.stringify(img.diffIds) });
    const ins = this.db.prepare('INSERT INTO image_layers (image_id, idx, chain_id) VALUES (?, ?, ?)');
    chainIds.forEach((c, i) => ins.run(img.id, i, c));
  }

  setParent(id: string, parent: string | null): void {
    statement(this.db, 'UPDATE images SET parent = ? WHERE id = ?').run(parent, id);
  }

  /** Point a tag at an image; returns the image it pointed at before, if another. */
  setTag(name: string, id: string, now: number, markTagTime = true): string | null {
    const prev = this.tagTarget(name);
    if (prev === id) return null;
    this.db
      .prepare(
        'INSERT INTO tags (name, image_id, added_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, added_at = excluded.added_at',
      )
      .run(name, id, now);
    if (markTagTime) statement(this.db, 'UPDATE images SET last_tag_at = ? WHERE id = ?').run(now, id);
    return prev;
  }

  setDigest(name: string, id: string): void {
    this.db
      .prepare(
        'INSERT INTO repo_digests (name, image_id) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id',
      )
      .run(name, id);
  }

  removeTag(name: string): boolean {
    return statement(this.db, 'DELETE FROM tags WHERE name = ?').run(name).changes > 0;
  }

  removeDigest(name: string): boolean {
    return statement(this.db, 'DELETE FROM repo_digests WHERE name = ?').run(name).changes > 0;
  }

  /** Delete the image row, its names and layer links; returns its chain IDs. */
  deleteImage(id: string): string[] {
    const chains = (
      statement(this.db, 'SELECT chain_id FROM image_layers WHERE image_id = ?').all(id) as { chain_id: string }[]
    ).map((r) => r.chain_id);
    statement(this.db, 'DELETE FROM tags WHERE image_id = ?').run(id);
    statement(this.db, 'DELETE FROM repo_digests WHERE image_id = ?').run(id);
    statement(this.db, 'DELETE FROM image_layers WHERE image_id = ?').run(id);
    statement(this.db, 'UPDATE images SET parent = NULL WHERE parent = ?').run(id);
    statement(this.db, 'DELETE FROM images WHERE id = ?').run(id);
    return chains;
  }

  /** Is the layer still used by any image? (Containers are checked by their owner.) */
  layerUsedByImage(chainId: string): boolean {
    return statement(this.db, 'SELECT 1 FROM image_layers WHERE chain_id = ? LIMIT 1').get(chainId) !== undefined;
  }

  /** Layers no image points to directly (candidates for removal). */
  deleteLayer(chainId: string): void {
    statement(this.db, 'DELETE FROM layers WHERE chain_id = ?').run(chainId);
  }

  layerHasChildren(chainId: string): boolean {
    return statement(this.db, 'SELECT 1 FROM layers WHERE parent = ? LIMIT 1').get(chainId) !== undefined;
  }
}
