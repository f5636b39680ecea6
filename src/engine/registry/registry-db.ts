/**
 * SQL for what registries add to the store (migration 4): manifests kept for
 * images, the compressed digests of layers (docker's v2 metadata: which
 * registry and repository hold a layer's blob, for "Already exists",
 * "Layer already exists" and "Mounted from"), and the pull locks that let
 * two processes pulling the same layer unpack it once.
 */
import { pidAlive } from '../store/scratch.js';
import type { Db } from '../store/db.js';

export interface LayerDigest {
  diffId: string;
  digest: string;
  mediaType: string;
  size: number;
  registry: string;
  repo: string;
}

export class RegistryDb {
  constructor(readonly db: Db) {}

  addManifest(imageId: string, digest: string, mediaType: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO image_manifests (image_id, digest, media_type) VALUES (?, ?, ?)')
      .run(imageId, digest, mediaType);
  }

  manifestsOf(imageId: string): { digest: string; mediaType: string }[] {
    return (
      this.db.prepare('SELECT digest, media_type FROM image_manifests WHERE image_id = ?').all(imageId) as {
        digest: string;
        media_type: string;
      }[]
    ).map((r) => ({ digest: r.digest, mediaType: r.media_type }));
  }

  manifestInUse(digest: string): boolean {
    return this.db.prepare('SELECT 1 FROM image_manifests WHERE digest = ? LIMIT 1').get(digest) !== undefined;
  }

  allManifestDigests(): string[] {
    return (this.db.prepare('SELECT DISTINCT digest FROM image_manifests').all() as { digest: string }[]).map(
      (r) => r.digest,
    );
  }

  addLayerDigest(l: LayerDigest): void {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO layer_digests (diff_id, digest, media_type, size, registry, repo) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(l.diffId, l.digest, l.mediaType, l.size, l.registry, l.repo);
  }

  layerDigests(diffId: string): LayerDigest[] {
    return (
      this.db.prepare('SELECT * FROM layer_digests WHERE diff_id = ? ORDER BY rowid').all(diffId) as {
        diff_id: string;
        digest: string;
        media_type: string;
        size: number;
        registry: string;
        repo: string;
      }[]
    ).map((r) => ({
      diffId: r.diff_id,
      digest: r.digest,
      mediaType: r.media_type,
      size: r.size,
      registry: r.registry,
      repo: r.repo,
    }));
  }

  allLayerDigests(): string[] {
    return (this.db.prepare('SELECT DISTINCT digest FROM layer_digests').all() as { digest: string }[]).map(
      (r) => r.digest,
    );
  }

  /** Forget the compressed forms of a layer that left the store; returns their digests. */
  dropLayerDigests(diffId: string): string[] {
    const digests = this.layerDigests(diffId).map((l) => l.digest);
    this.db.prepare('DELETE FROM layer_digests WHERE diff_id = ?').run(diffId);
    return [...new Set(digests)];
  }

  // ---- pull locks (call inside an IMMEDIATE transaction) ----

  /** Take the lock on a chain unless a live process holds it; returns the holder's pid when held. */
  tryLock(chainId: string, pid = process.pid, now = Date.now()): number | null {
    const row = this.db.prepare('SELECT pid FROM pull_locks WHERE chain_id = ?').get(chainId) as
      { pid: number } | undefined;
    if (row && row.pid !== pid && pidAlive(row.pid)) return row.pid;
    this.db
      .prepare(
        'INSERT INTO pull_locks (chain_id, pid, started) VALUES (?, ?, ?) ON CONFLICT(chain_id) DO UPDATE SET pid = excluded.pid, started = excluded.started',
      )
      .run(chainId, pid, now);
    return null;
  }

  /** Take the locks on all these chains, or on none when a live process holds any of them (returns that holder). */
  tryLockAll(chainIds: string[], pid = process.pid, now = Date.now()): number | null {
    for (const c of chainIds) {
      const row = this.db.prepare('SELECT pid FROM pull_locks WHERE chain_id = ?').get(c) as
        { pid: number } | undefined;
      if (row && row.pid !== pid && pidAlive(row.pid)) return row.pid;
    }
    for (const c of chainIds) this.tryLock(c, pid, now);
    return null;
  }

  unlock(chainIds: string[], pid = process.pid): void {
    const del = this.db.prepare('DELETE FROM pull_locks WHERE chain_id = ? AND pid = ?');
    for (const c of chainIds) del.run(c, pid);
  }

  /** Drop locks whose process is gone (the start-up sweep). */
  sweepLocks(): number {
    const rows = this.db.prepare('SELECT chain_id, pid FROM pull_locks').all() as { chain_id: string; pid: number }[];
    let n = 0;
    for (const r of rows) {
      if (!pidAlive(r.pid)) {
        this.db.prepare('DELETE FROM pull_locks WHERE chain_id = ?').run(r.chain_id);
        n++;
      }
    }
    return n;
  }
}
