/**
 * `import`: a one-layer image from a flat root file system tar (plain or
 * compressed, from a file, stdin or a URL), with docker's config: `-c`
 * changes applied, `-m` as comment, history "Imported from <source>".
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fetchTrusting } from '../../common/extra-ca.js';
import { BerthError } from '../errors.js';
import { applyChanges } from '../image/changes.js';
import { parsePlatform } from '../image/platform.js';
import type { ContainerConfigLike, ImageConfig } from '../image/types.js';
import { unpackLayer } from '../layer/unpack.js';
import { sha256 } from '../store/blobs.js';
import { makeScratch, removeTree } from '../store/scratch.js';
import type { Store } from '../store/store.js';
import { formatRFC3339Nano } from '../util/time.js';
import { autoDecompress } from './compression.js';
import { commitImages } from './commit-images.js';

export interface ImportOpts {
  changes?: string[];
  message?: string;
  source: string;
  /** Normalised repository:tag to tag the result with. */
  tag?: string;
  /** os[/arch[/variant]]; the host's by default. */
  platform?: string;
  signal?: AbortSignal;
}

/** Docker's empty container config, every field present, as docker writes it. */
export function emptyContainerConfig(): ContainerConfigLike {
  return {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: null,
    Cmd: null,
    Image: '',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
  };
}

export const ENGINE_VERSION = 'berth-0.1.0';

export function hostArchitecture(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch;
}

/** A readable for a URL source (http/https). */
export async function openUrl(url: string, signal?: AbortSignal): Promise<Readable> {
  let res: Response;
  try {
    res = await fetch(url, await fetchTrusting(signal ? { signal } : {}));
  } catch (e) {
    throw new BerthError('IO', `Get "${url}": ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok || !res.body) throw new BerthError('IO', `Get "${url}": status ${res.status} ${res.statusText}`);
  return Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
}

export async function importImage(store: Store, input: Readable, opts: ImportOpts): Promise<string> {
  const platform = parsePlatform(opts.platform ?? 'linux', hostArchitecture());
  const config = applyChanges(emptyContainerConfig(), opts.changes ?? []);
  const scratch = makeScratch(store.layout.tmpDir, 'import');
  try {
    const blob = store.blobs.writerAt(join(scratch, 'blob-0'));
    const treeRoot = join(scratch, 'layer-0');
    mkdirSync(join(treeRoot, 'diff'), { recursive: true });
    const { data } = await autoDecompress(input as AsyncIterable<Buffer>);
    async function* tapped(): AsyncGenerator<Buffer> {
      for await (const c of data) {
        if (opts.signal?.aborted) throw new BerthError('CANCELLED', 'import cancelled');
        blob.write(c);
        yield c;
      }
    }
    const it = tapped();
    const { size } = await unpackLayer(
      { [Symbol.asyncIterator]: () => ({ next: () => it.next() }) },
      join(treeRoot, 'diff'),
    );
    for await (const c of it) void c; // trailing padding after the end-of-archive marker
    blob.close(false);
    const diffId = blob.digest();
    const created = formatRFC3339Nano(new Date());
    const comment = opts.message || `Imported from ${opts.source}`;
    const image: ImageConfig = {
      architecture: platform.architecture,
      ...(platform.variant ? { variant: platform.variant } : {}),
      comment,
      config,
      container_config: emptyContainerConfig(),
      created,
      docker_version: ENGINE_VERSION,
      history: [{ created, comment }],
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [diffId] },
    };
    const configBytes = Buffer.from(JSON.stringify(image));
    const id = sha256(configBytes);
    await commitImages(
      store,
      scratch,
      [
        {
          id,
          configBytes,
          layers: [{ diffId, blobPath: blob.tmpPath, treeRoot, size, tarSize: blob.bytes }],
          repoTags: opts.tag ? [opts.tag] : [],
        },
      ],
      { action: 'import', ...(opts.signal ? { signal: opts.signal } : {}) },
    );
    return id;
  } finally {
    removeTree(scratch);
  }
}
