/**
 * A two-platform OCI index built from the fixtures and pushed with skopeo
 * (`skopeo copy --all --preserve-digests oci:DIR:TAG docker://HOST/REPO:TAG`):
 *
 * - linux/amd64: bb-layers:v1 as skopeo writes it to an OCI layout (its
 *   config in OCI form, digest OCI_CONFIG_ID, three layers);
 * - linux/arm64/v8: bb:latest with its config's architecture rewritten to
 *   arm64 and variant v8 (a new config digest, one layer).
 *
 * The layer counts differ, so a pull that picked the wrong platform shows.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { fixture } from './env.js';
import { inspectRemote, sha256, skopeoArgs, skopeoBin } from './registry-peers.js';
import type { TestRegistry } from './registry.js';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface PlatformImage {
  platform: Platform;
  /** the platform manifest's digest in the index */
  digest: string;
  /** its config digest: the image ID a pull of this platform must give */
  configDigest: string;
  /** layer (compressed blob) digests, bottom first */
  layers: string[];
  /** DiffIDs from the config, bottom first */
  diffIds: string[];
}

export interface MultiArchImage {
  /** HOST/REPO:TAG */
  ref: string;
  /** the index's digest (what the tag resolves to) */
  indexDigest: string;
  mediaType: typeof OCI_INDEX;
  images: PlatformImage[];
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
}
interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** Build the index as an OCI layout in a temporary directory and push it to reg as REPO:TAG. */
export async function pushMultiArch(reg: TestRegistry, repo: string, tag = 'multi'): Promise<MultiArchImage> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-multiarch-'));
  const layout = join(dir, 'layout');
  try {
    const archive = fixture('layers.docker-save.tar');
    const copy = (image: string, name: string) =>
      execa(skopeoBin(), ['copy', '-q', `docker-archive:${archive}:${image}`, `oci:${layout}:${name}`]);
    await copy('bb-layers:v1', 'amd64');
    await copy('bb:latest', 'arm64-src');

    const blob = (d: string) => readFileSync(join(layout, 'blobs', 'sha256', d.slice('sha256:'.length)));
    const putBlob = (b: Buffer) => {
      const d = sha256(b);
      writeFileSync(join(layout, 'blobs', 'sha256', d.slice('sha256:'.length)), b);
      return d;
    };
    const index0 = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    const byName = (n: string) =>
      index0.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === n)!;

    const images: PlatformImage[] = [];
    const entries: Descriptor[] = [];
    const add = (platform: Platform, manifestBytes: Buffer) => {
      const m = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
      const cfg = JSON.parse(blob(m.config.digest).toString('utf8')) as { rootfs: { diff_ids: string[] } };
      const digest = putBlob(manifestBytes);
      entries.push({ mediaType: OCI_MANIFEST, digest, size: manifestBytes.length, platform });
      images.push({
        platform,
        digest,
        configDigest: m.config.digest,
        layers: m.layers.map((l) => l.digest),
        diffIds: cfg.rootfs.diff_ids,
      });
    };

    // amd64: bb-layers:v1 unchanged (the fixtures were made on amd64)
    add({ architecture: 'amd64', os: 'linux' }, blob(byName('amd64').digest));

    // arm64/v8: bb's config with the architecture rewritten, then its manifest pointing at it
    const srcManifest = JSON.parse(blob(byName('arm64-src').digest).toString('utf8')) as Manifest;
    const cfg = JSON.parse(blob(srcManifest.config.digest).toString('utf8')) as Record<string, unknown>;
    const armCfg = Buffer.from(JSON.stringify({ ...cfg, architecture: 'arm64', variant: 'v8' }));
    const armManifest: Manifest = {
      ...srcManifest,
      config: { mediaType: OCI_CONFIG, digest: putBlob(armCfg), size: armCfg.length },
    };
    add({ architecture: 'arm64', os: 'linux', variant: 'v8' }, Buffer.from(JSON.stringify(armManifest)));

    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }));
    const indexDigest = putBlob(index);
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: OCI_INDEX,
            digest: indexDigest,
            size: index.length,
            annotations: { 'org.opencontainers.image.ref.name': tag },
          },
        ],
      }),
    );

    const r = await execa(
      skopeoBin(),
      [
        'copy',
        '-q',
        '--all',
        '--preserve-digests',
        ...skopeoArgs(reg, 'dest'),
        `oci:${layout}:${tag}`,
        `docker://${reg.host}/${repo}:${tag}`,
      ],
      { reject: false },
    );
    if (r.exitCode !== 0) throw new Error(`skopeo copy --all of the index failed: ${String(r.stderr).trim()}`);
    const served = await inspectRemote(reg, `${repo}:${tag}`);
    if (served.digest !== indexDigest)
      throw new Error(`the registry serves ${served.digest} for ${repo}:${tag}, not the index ${indexDigest}`);
    return { ref: `${reg.host}/${repo}:${tag}`, indexDigest, mediaType: OCI_INDEX, images };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
