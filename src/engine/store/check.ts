/**
 * `system check`: compare what the database says with what is on disk.
 * Finds blobs and layer trees nothing references (and, with repair, removes
 * them in an IMMEDIATE transaction so no concurrent commit is harmed), and
 * reports blobs and layer trees the database needs but the disk lacks.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { CheckReport } from '../types.js';
import { immediate } from './db.js';
import { makeScratch, removeTree, sweepScratch } from './scratch.js';
import type { Store } from './store.js';
import { RegistryDb } from '../registry/registry-db.js';

export function checkStore(
  store: Store,
  opts: { repair?: boolean; layerInUse?: (chainId: string) => boolean } = {},
): CheckReport {
  const scratchLeftovers = sweepScratch(store.layout.tmpDir, !opts.repair);
  const trash = makeScratch(store.layout.tmpDir, 'trash');
  try {
    return immediate(store.db, () => {
      const images = store.images.images();
      const layers = store.images.layers();
      const reg = new RegistryDb(store.db);
      const wantedBlobs = new Set<string>([...images.map((i) => i.id), ...layers.map((l) => l.diffId)]);
      // manifests kept for images, compressed layer copies kept for pushes (when here)
      for (const d of [...reg.allManifestDigests(), ...reg.allLayerDigests()])
        if (store.blobs.has(d)) wantedBlobs.add(d);
      const usedChains = new Set<string>();
      for (const img of images) for (const l of store.images.layersOf(img.id)) usedChains.add(l.chainId);
      const rowChains = new Set(layers.map((l) => l.chainId));

      const unreferencedBlobs = readdirSync(store.layout.blobsDir)
        .map((h) => `sha256:${h}`)
        .filter((d) => !wantedBlobs.has(d));
      const unusedRows = layers
        .filter((l) => !usedChains.has(l.chainId) && !(opts.layerInUse?.(l.chainId) ?? false))
        .map((l) => l.chainId);
      const strayDirs = readdirSync(store.layout.layersDir)
        .map((h) => `sha256:${h}`)
        .filter((c) => !rowChains.has(c));
      const missingBlobs = [...wantedBlobs].filter((d) => !store.blobs.has(d));
      const missingLayers = layers
        .filter((l) => !existsSync(store.layout.layerDiff(l.chainId.slice(7))))
        .map((l) => l.chainId);

      if (opts.repair) {
        for (const c of unusedRows) store.images.deleteLayer(c);
        store.trashLayerDirs(trash, [...unusedRows, ...strayDirs]);
        const stillWanted = new Set(store.images.layers().map((l) => l.diffId));
        for (const d of unreferencedBlobs) store.blobs.trash(d, trash);
        for (const c of unusedRows) {
          const diff = layers.find((l) => l.chainId === c)!.diffId;
          if (!stillWanted.has(diff) && !images.some((i) => i.id === diff)) store.blobs.trash(diff, trash);
        }
      }
      return {
        unreferencedBlobs,
        unreferencedLayers: [...unusedRows, ...strayDirs],
        missingBlobs,
        missingLayers,
        scratchLeftovers,
        repaired: !!opts.repair,
      };
    });
  } finally {
    removeTree(trash);
  }
}
