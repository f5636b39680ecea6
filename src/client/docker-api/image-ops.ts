/**
 * The remote backend's images, volumes and registry work: the Docker Engine
 * API's image and volume routes, save and load streamed over the link with
 * progress counted in bytes, pull and push as the engine's JSON messages.
 * Registry credentials stay on this machine: pull and push send the ones
 * given for the operation (docker's X-Registry-Auth).
 */
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../errors.js';
import type {
  DeleteItem,
  DiskUsage,
  HistoryItem,
  ImageInspect,
  ImageListOptions,
  ImageSummary,
  ImportOptions,
  LoadReport,
  PruneReport,
  TransferProgress,
} from '../types/images.js';
import type { DistributionInfo } from '../api.js';
import type { PullOptions, PushOptions, RegistryCredentials, SearchOptions, SearchResult } from '../types/registry.js';
import type { ProgressMessage } from '../types/streams.js';
import type { VolumeCreate, VolumeInfo } from '../types/volumes.js';
import { filtersJson, type Connection } from './connection.js';
import { loadedFrom } from './convert.js';

const enc = encodeURIComponent;

/** Counts the bytes that pass (save and load's progress). */
function counter(onProgress: ((p: TransferProgress) => void) | undefined, total?: number): Transform {
  const p: TransferProgress = { bytes: 0, layers: 0, current: '', ...(total ? { total } : {}) };
  let last = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      p.bytes += chunk.length;
      const now = Date.now();
      if (onProgress && now - last >= 100) {
        last = now;
        onProgress({ ...p });
      }
      cb(null, chunk);
    },
    flush(cb) {
      onProgress?.({ ...p });
      cb();
    },
  });
}

/** "name[:tag]" -> the repository and tag the API's routes take (a digest stays in the name). */
export function splitTag(ref: string): { repo: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { repo: ref, tag: '' };
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/')
    ? { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) }
    : { repo: ref, tag: '' };
}

const authHeader = (auth?: { username: string; password: string } | null): Record<string, string> =>
  auth ? { 'x-registry-auth': Buffer.from(JSON.stringify(auth)).toString('base64url') } : {};

export class ImageOps {
  constructor(protected readonly conn: Connection) {}

  async listImages(o: ImageListOptions = {}): Promise<ImageSummary[]> {
    const list = (await this.conn.json('GET', '/images/json', {
      query: { all: o.all, filters: filtersJson(o.filters) },
    })) as Partial<ImageSummary>[];
    return list.map((i) => ({
      Id: i.Id ?? '',
      ParentId: i.ParentId ?? '',
      RepoTags: (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>'),
      RepoDigests: (i.RepoDigests ?? []).filter((t) => t !== '<none>@<none>'),
      Created: i.Created ?? 0,
      Size: i.Size ?? 0,
      SharedSize: i.SharedSize ?? -1,
      VirtualSize: i.VirtualSize ?? i.Size ?? 0,
      Labels: i.Labels ?? {},
      Containers: i.Containers ?? -1,
    }));
  }
  async inspectImage(ref: string): Promise<ImageInspect> {
    return (await this.conn.json('GET', `/images/${enc(ref)}/json`)) as ImageInspect;
  }
  async imageHistory(ref: string): Promise<HistoryItem[]> {
    return (await this.conn.json('GET', `/images/${enc(ref)}/history`)) as HistoryItem[];
  }
  async tagImage(source: string, target: string): Promise<void> {
    const { repo, tag } = splitTag(target);
    await this.conn.call('POST', `/images/${enc(source)}/tag`, { query: { repo, tag: tag || 'latest' } });
  }
  async removeImage(ref: string, o: { force?: boolean; noPrune?: boolean } = {}): Promise<DeleteItem[]> {
    return (await this.conn.json('DELETE', `/images/${enc(ref)}`, {
      query: { force: o.force, noprune: o.noPrune },
    })) as DeleteItem[];
  }
  async pruneImages(o: { all?: boolean; filters?: Map<string, string[]> } = {}): Promise<PruneReport> {
    const f = new Map(o.filters ?? []);
    if (o.all) f.set('dangling', ['false']);
    const r = (await this.conn.json('POST', '/images/prune', { query: { filters: filtersJson(f) } })) as {
      ImagesDeleted?: DeleteItem[] | null;
      SpaceReclaimed?: number;
    };
    return { deleted: r.ImagesDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }
  async loadImages(
    input: Readable,
    o: { signal?: AbortSignal; onProgress?: (p: TransferProgress) => void } = {},
  ): Promise<LoadReport> {
    const body = input.pipe(counter(o.onProgress));
    input.on('error', (e) => body.destroy(e));
    const lines: string[] = [];
    for await (const m of this.conn.jsonLines('POST', '/images/load', {
      query: { quiet: true },
      body,
      ...(o.signal ? { signal: o.signal } : {}),
    }) as AsyncIterable<ProgressMessage>) {
      if (m.error) throw new BerthError('INVALID_ARCHIVE', m.errorDetail?.message ?? m.error);
      if (m.stream) lines.push(...m.stream.split('\n').filter(Boolean));
    }
    if (o.signal?.aborted) throw new BerthError('CANCELLED', 'load cancelled');
    const { tags, ids } = loadedFrom(lines);
    const images = new Map<string, string[]>();
    for (const id of ids) images.set(id, []);
    for (const t of tags) {
      const id = t.startsWith('sha256:') ? t : ((await this.inspectImage(t).catch(() => null))?.Id ?? t);
      if (!images.has(id)) images.set(id, []);
      if (!t.startsWith('sha256:')) images.get(id)!.push(t);
    }
    return { images: [...images].map(([id, t]) => ({ id, tags: t })), notes: [] };
  }
  async saveImages(
    refs: string[],
    out: Writable,
    o: { signal?: AbortSignal; onProgress?: (p: TransferProgress) => void } = {},
  ): Promise<void> {
    // docker writes nothing when a name is missing only after it has begun: ask first, one line if not
    for (const r of refs) await this.inspectImage(r);
    const chunks = this.conn.chunks('GET', '/images/get', {
      query: { names: refs },
      ...(o.signal ? { signal: o.signal } : {}),
    });
    await pipeline(chunks, counter(o.onProgress), out, o.signal ? { signal: o.signal } : {});
    if (o.signal?.aborted) throw new BerthError('CANCELLED', 'save cancelled');
  }
  async importImage(input: Readable | string, o: ImportOptions & { signal?: AbortSignal }): Promise<string> {
    const { repo, tag } = splitTag(o.tag ?? '');
    const fromSrc = typeof input === 'string' ? input : '-';
    let id = '';
    for await (const m of this.conn.jsonLines('POST', '/images/create', {
      query: { fromSrc, repo: repo || undefined, tag: tag || undefined, message: o.message, changes: o.changes },
      ...(typeof input === 'string' ? {} : { body: input }),
      ...(o.signal ? { signal: o.signal } : {}),
    }) as AsyncIterable<ProgressMessage>) {
      if (m.error) throw new BerthError('INVALID_ARCHIVE', m.errorDetail?.message ?? m.error);
      if (m.status && /^sha256:/.test(m.status)) id = m.status;
    }
    return id;
  }
  async diskUsage(): Promise<DiskUsage> {
    const d = (await this.conn.json('GET', '/system/df')) as any;
    return {
      images: ((d.Images ?? []) as any[]).map((i) => ({
        id: i.Id,
        tags: i.RepoTags ?? [],
        created: i.Created ?? 0,
        size: i.Size ?? 0,
        sharedSize: i.SharedSize ?? 0,
        uniqueSize: (i.Size ?? 0) - Math.max(0, i.SharedSize ?? 0),
        containers: i.Containers ?? 0,
      })),
      layersSize: d.LayersSize ?? 0,
      containers: ((d.Containers ?? []) as any[]).map((c) => ({
        id: c.Id,
        names: c.Names ?? [],
        image: c.Image ?? '',
        sizeRw: c.SizeRw ?? 0,
        state: c.State ?? '',
        created: c.Created ?? 0,
      })),
      volumes: ((d.Volumes ?? []) as any[]).map((v) => ({
        name: v.Name,
        size: v.UsageData?.Size ?? 0,
        links: v.UsageData?.RefCount ?? 0,
      })),
      buildCache: [],
    };
  }

  async *pullImage(ref: string, o: PullOptions = {}): AsyncGenerator<ProgressMessage> {
    const { repo, tag } = splitTag(ref);
    yield* this.progress('/images/create', {
      query: { fromImage: repo, tag: o.allTags ? undefined : tag || 'latest', platform: o.platform },
      headers: authHeader(o.auth),
      ...(o.signal ? { signal: o.signal } : {}),
    });
  }
  async *pushImage(ref: string, o: PushOptions = {}): AsyncGenerator<ProgressMessage> {
    const { repo, tag } = splitTag(ref);
    yield* this.progress(`/images/${enc(repo)}/push`, {
      query: { tag: o.allTags ? undefined : tag || 'latest' },
      // docker requires the header, empty credentials included
      headers: { 'x-registry-auth': authHeader(o.auth)['x-registry-auth'] ?? 'e30' },
      ...(o.signal ? { signal: o.signal } : {}),
    });
  }
  private async *progress(
    path: string,
    o: { query: Record<string, string | undefined>; headers: Record<string, string>; signal?: AbortSignal },
  ): AsyncGenerator<ProgressMessage> {
    for await (const m of this.conn.jsonLines('POST', path, o) as AsyncIterable<ProgressMessage>) {
      if (m.error) {
        const msg = m.errorDetail?.message ?? m.error;
        throw new BerthError(/unauthorized|authentication required/i.test(msg) ? 'UNAUTHORIZED' : 'RUNTIME', msg);
      }
      yield m;
    }
    if (o.signal?.aborted) throw new BerthError('CANCELLED', 'cancelled');
  }
  async searchImages(term: string, o: SearchOptions = {}): Promise<SearchResult[]> {
    return (await this.conn.json('GET', '/images/search', {
      query: { term, limit: o.limit },
      headers: authHeader(o.auth),
      ...(o.signal ? { signal: o.signal } : {}),
    })) as SearchResult[];
  }
  /** The engine checks the credentials with the registry (POST /auth) and saves nothing; its status line. */
  async checkLogin(server: string | undefined, creds: RegistryCredentials, signal?: AbortSignal): Promise<string> {
    const r = (await this.conn.json('POST', '/auth', {
      body: { username: creds.username, password: creds.password, serveraddress: server ?? '' },
      ...(signal ? { signal } : {}),
    })) as { Status?: string };
    return r.Status ?? 'Login Succeeded';
  }
  async inspectDistribution(
    ref: string,
    opts: { auth?: RegistryCredentials | null; signal?: AbortSignal } = {},
  ): Promise<DistributionInfo> {
    const r = (await this.conn.json('GET', `/distribution/${ref}/json`, {
      headers: authHeader(opts.auth),
      ...(opts.signal ? { signal: opts.signal } : {}),
    })) as { Descriptor: DistributionInfo['descriptor']; Platforms?: DistributionInfo['platforms'] | null };
    return { descriptor: r.Descriptor, platforms: r.Platforms ?? [] };
  }

  async createVolume(o: VolumeCreate): Promise<VolumeInfo> {
    return (await this.conn.json('POST', '/volumes/create', {
      body: { Name: o.name ?? '', Driver: o.driver ?? 'local', Labels: o.labels ?? {}, DriverOpts: o.options ?? {} },
    })) as VolumeInfo;
  }
  async listVolumes(filters?: Map<string, string[]>): Promise<VolumeInfo[]> {
    const r = (await this.conn.json('GET', '/volumes', { query: { filters: filtersJson(filters) } })) as {
      Volumes?: VolumeInfo[] | null;
    };
    return (r.Volumes ?? []).map((v) => ({ ...v, Labels: v.Labels ?? {}, Options: v.Options ?? {} }));
  }
  async inspectVolume(name: string): Promise<VolumeInfo> {
    return (await this.conn.json('GET', `/volumes/${enc(name)}`)) as VolumeInfo;
  }
  async removeVolume(name: string, force?: boolean): Promise<void> {
    await this.conn.call('DELETE', `/volumes/${enc(name)}`, { query: { force } });
  }
  async pruneVolumes(o: { all?: boolean; filters?: Map<string, string[]> } = {}) {
    const f = new Map(o.filters ?? []);
    if (o.all) f.set('all', ['true']);
    const r = (await this.conn.json('POST', '/volumes/prune', { query: { filters: filtersJson(f) } })) as {
      VolumesDeleted?: string[] | null;
      SpaceReclaimed?: number;
    };
    return { deleted: r.VolumesDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }
}
