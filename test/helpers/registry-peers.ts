/**
 * The real peers against a test registry (./registry.ts): push the fixtures
 * with skopeo or the peer docker, and read back what docker, podman and
 * skopeo see after a pull (image ID, RepoDigests, manifest digest), for the
 * round trips where berth's answers must equal theirs.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import type { TestRegistry } from './registry.js';

export const skopeoBin = () => process.env.PEER_SKOPEO ?? 'skopeo';
export const podmanBin = () => process.env.PEER_PODMAN ?? 'podman';
export const dockerBin = () => process.env.PEER_DOCKER ?? 'docker';

export const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/**
 * skopeo's flags to reach `reg`: trust its CA (the certs.d directory of its
 * host) or allow plain HTTP, and its credentials. `side` is 'src' or 'dest'
 * for copy, null for inspect and other one-image commands.
 */
export function skopeoArgs(reg: TestRegistry, side: 'src' | 'dest' | null): string[] {
  const p = side ? `--${side}-` : '--';
  const out = reg.scheme === 'https' ? [`${p}cert-dir`, join(reg.certsDir!, reg.host)] : [`${p}tls-verify=false`];
  if (reg.authFile) out.push(`${p}authfile`, reg.authFile);
  return out;
}

/** Same for podman (pull, push, login, search): --cert-dir / --tls-verify, --authfile. */
export function podmanRegistryArgs(reg: TestRegistry): string[] {
  const out = reg.scheme === 'https' ? ['--cert-dir', join(reg.certsDir!, reg.host)] : ['--tls-verify=false'];
  if (reg.authFile) out.push('--authfile', reg.authFile);
  return out;
}

async function run(cmd: string, args: string[], what: string, input?: string): Promise<string> {
  const r = await execa(cmd, args, { reject: false, ...(input !== undefined ? { input } : {}) });
  if (r.exitCode !== 0) throw new Error(`${what} failed (exit ${r.exitCode}): ${String(r.stderr).trim()}`);
  return String(r.stdout);
}

export interface RemoteImage {
  /** HOST/REPO:TAG */
  ref: string;
  /** sha256 of the manifest bytes as the registry serves them (the RepoDigest's digest). */
  digest: string;
  mediaType: string;
  raw: Buffer;
  /** The config digest (= image ID) and the layer digests, for a single-image manifest. */
  configDigest?: string;
  layers?: string[];
}

/** What the registry serves for `ref` (REPO:TAG or REPO@DIGEST), read with skopeo inspect --raw. */
export async function inspectRemote(reg: TestRegistry, ref: string): Promise<RemoteImage> {
  const r = await execa(skopeoBin(), ['inspect', '--raw', ...skopeoArgs(reg, null), `docker://${reg.host}/${ref}`], {
    reject: false,
    encoding: 'buffer',
  });
  if (r.exitCode !== 0) throw new Error(`skopeo inspect ${ref} failed: ${Buffer.from(r.stderr).toString().trim()}`);
  const raw = Buffer.from(r.stdout as Uint8Array);
  const m = JSON.parse(raw.toString('utf8')) as {
    mediaType?: string;
    config?: { digest: string };
    layers?: { digest: string }[];
  };
  return {
    ref: `${reg.host}/${ref}`,
    digest: sha256(raw),
    mediaType: m.mediaType ?? '',
    raw,
    ...(m.config ? { configDigest: m.config.digest, layers: (m.layers ?? []).map((l) => l.digest) } : {}),
  };
}

export interface PushOptions {
  /** The image inside a multi-image archive (e.g. 'bb-layers:v1'); default: the archive's only image. */
  image?: string;
  /** Who pushes: skopeo (default) or the peer docker (docker load, tag, push). */
  tool?: 'skopeo' | 'docker';
  /** skopeo only: the manifest format to push (default: skopeo's choice for the source). */
  format?: 'v2s2' | 'oci';
}

/**
 * Push a fixture archive (test/fixtures/*.tar) to `reg` as REPO:TAG with
 * skopeo or with the peer docker; answers what the registry then serves.
 */
export async function pushFixture(
  reg: TestRegistry,
  fixtureFile: string,
  ref: string,
  o: PushOptions = {},
): Promise<RemoteImage> {
  if ((o.tool ?? 'skopeo') === 'skopeo') {
    const src = basename(fixtureFile).includes('oci-archive')
      ? `oci-archive:${fixtureFile}`
      : `docker-archive:${fixtureFile}${o.image ? `:${o.image}` : ''}`;
    await run(
      skopeoBin(),
      [
        'copy',
        '-q',
        ...(o.format ? ['--format', o.format] : []),
        ...skopeoArgs(reg, 'dest'),
        src,
        `docker://${reg.host}/${ref}`,
      ],
      `skopeo copy ${src}`,
    );
  } else {
    const loaded = await peerDockerOk(['load', '-i', fixtureFile], 'docker load');
    const image = o.image ?? /Loaded image(?: ID)?: (\S+)/.exec(loaded)?.[1];
    if (!image) throw new Error(`docker load ${fixtureFile}: no image named in "${loaded.trim()}"`);
    const target = `${reg.host}/${ref}`;
    await peerDockerOk(['tag', image, target], 'docker tag');
    try {
      await peerDockerOk([...dockerConfigArgs(reg), 'push', target], `docker push ${target}`);
    } finally {
      await peerDockerOk(['rmi', target], 'docker rmi').catch(() => undefined);
    }
  }
  return inspectRemote(reg, ref);
}

/** docker --config DIR for a registry with credentials (a private config, never root's ~/.docker). */
export function dockerConfigArgs(reg: TestRegistry): string[] {
  return reg.dockerConfig ? ['--config', reg.dockerConfig] : [];
}

/** Run the peer docker client; throws with its stderr on failure. */
export function peerDockerOk(args: string[], what = `docker ${args[0]}`): Promise<string> {
  const host = process.env.PEER_DOCKER_HOST;
  if (!host) throw new Error('PEER_DOCKER_HOST unset (scripts/peers.sh start)');
  // global flags (--config) must come before -H's subcommand; -H is global too
  return run(dockerBin(), ['-H', host, ...args], what);
}

export interface PulledImage {
  /** sha256:… image ID (the config digest) */
  id: string;
  repoDigests: string[];
}

/**
 * Make the peer dockerd trust `reg`'s CA: dockerd reads
 * /etc/docker/certs.d/HOST:PORT/ca.crt on each request. (It would also reach
 * 127.0.0.1 without it: docker counts 127.0.0.0/8 as insecure and skips
 * verification there.) Returns the undo.
 */
export function trustInPeerDocker(reg: TestRegistry): () => void {
  if (!reg.caFile) return () => undefined;
  const dir = join('/etc/docker/certs.d', reg.host);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.crt'), readFileSync(reg.caFile));
  return () => rmSync(dir, { recursive: true, force: true });
}

/** docker pull HOST/REF with the peer docker; its image ID and RepoDigests. Remove with dockerRemove(). */
export async function dockerPull(reg: TestRegistry, ref: string): Promise<PulledImage> {
  const target = `${reg.host}/${ref}`;
  await peerDockerOk([...dockerConfigArgs(reg), 'pull', '-q', target], `docker pull ${target}`);
  const out = await peerDockerOk(['image', 'inspect', '--format', '{{json .}}', target]);
  const j = JSON.parse(out) as { Id: string; RepoDigests: string[] | null };
  return { id: j.Id, repoDigests: j.RepoDigests ?? [] };
}

/** Remove images from the peer docker (ignoring ones it does not have). */
export async function dockerRemove(...refs: string[]): Promise<void> {
  for (const r of refs) await peerDockerOk(['rmi', '-f', r]).catch(() => undefined);
}

/** podman in a store of its own (vfs, a temporary root): never the machine's /var/lib/containers. */
export interface PodmanStore {
  args: string[];
  dir: string;
  cleanup(): void;
}

export function podmanStore(): PodmanStore {
  const dir = mkdtempSync(join(tmpdir(), 'berth-podman-'));
  return {
    dir,
    args: [
      '--root',
      join(dir, 'root'),
      '--runroot',
      join(dir, 'run'),
      '--tmpdir',
      join(dir, 'tmp'),
      '--storage-driver',
      'vfs',
      '--events-backend',
      'none',
    ],
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** podman pull HOST/REF into `store`; its image ID and RepoDigests. */
export async function podmanPull(reg: TestRegistry, ref: string, store: PodmanStore): Promise<PulledImage> {
  const target = `${reg.host}/${ref}`;
  await run(podmanBin(), [...store.args, 'pull', '-q', ...podmanRegistryArgs(reg), target], `podman pull ${target}`);
  const out = await run(podmanBin(), [...store.args, 'image', 'inspect', target], 'podman image inspect');
  const j = (JSON.parse(out) as { Id: string; RepoDigests: string[] | null }[])[0]!;
  return { id: `sha256:${j.Id.replace(/^sha256:/, '')}`, repoDigests: j.RepoDigests ?? [] };
}

/**
 * What skopeo sees of HOST/REF: the manifest digest (inspect's Digest) and
 * the image ID (sha256 of the config bytes, as docker and podman compute it).
 */
export async function skopeoImage(reg: TestRegistry, ref: string): Promise<{ digest: string; id: string }> {
  const target = `docker://${reg.host}/${ref}`;
  const meta = JSON.parse(await run(skopeoBin(), ['inspect', ...skopeoArgs(reg, null), target], 'skopeo inspect')) as {
    Digest: string;
  };
  const cfg = await execa(skopeoBin(), ['inspect', '--config', '--raw', ...skopeoArgs(reg, null), target], {
    reject: false,
    encoding: 'buffer',
  });
  if (cfg.exitCode !== 0) throw new Error(`skopeo inspect --config failed: ${Buffer.from(cfg.stderr).toString()}`);
  return { digest: meta.Digest, id: sha256(Buffer.from(cfg.stdout as Uint8Array)) };
}
