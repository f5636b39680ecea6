/**
 * A container's mounts: resolved at create from -v, --mount, --tmpfs and the
 * image's VOLUMEs (volumes made as needed), turned into OCI mounts at start,
 * and docker's copy-up of image content into an empty volume.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { BerthError, invalidArg } from '../errors.js';
import type { MountPoint } from '../container/types.js';
import type { OciMount } from '../runtime/spec.js';
import type { Store } from '../store/store.js';
import type { ContainerCreateRequest } from '../types.js';
import {
  imageVolumeRequest,
  parseTmpfsFlag,
  parseVolumeFlag,
  validateMountSpec,
  type MountRequest,
} from './mount-spec.js';
import { ensureVolume, newVolumeName, volumeData, volumeDb, volumeRefusal } from './service.js';

/** Parse and check every mount flag (pure but for the host checks of binds). */
export function parseMountRequests(req: ContainerCreateRequest, imageVolumes: string[]): MountRequest[] {
  const out: MountRequest[] = [
    ...(req.volumes ?? []).map(parseVolumeFlag),
    ...(req.mounts ?? []).map(validateMountSpec),
    ...(req.tmpfs ?? []).map(parseTmpfsFlag),
  ];
  const seen = new Set<string>();
  for (const m of out) {
    const t = posix.normalize(m.target);
    if (seen.has(t)) throw invalidArg(`Duplicate mount point: ${t}`);
    seen.add(t);
    if (m.type === 'bind' && !m.createSource && !existsSync(m.source)) {
      throw invalidArg(`invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
    }
  }
  // the image's VOLUMEs become anonymous volumes unless something is mounted there already
  for (const v of imageVolumes) {
    const t = posix.normalize(v);
    if (seen.has(t)) continue;
    seen.add(t);
    out.push(imageVolumeRequest(v));
  }
  // every volume is checked before anything is made, so a refusal leaves nothing behind
  for (const m of out) {
    if (m.type !== 'volume') continue;
    if (!m.source) Object.assign(m, { source: newVolumeName(), anonymous: true });
    const refused = volumeRefusal(m.source, m.volumeDriver, m.volumeOptions);
    if (refused) throw refused;
  }
  return out;
}

/** Create volumes and bind sources; call inside the create transaction. */
export function resolveMounts(store: Store, containerId: string, reqs: MountRequest[]): MountPoint[] {
  const points: MountPoint[] = [];
  for (const m of reqs) {
    const target = posix.normalize(m.target);
    if (m.type === 'volume') {
      const v = ensureVolume(store, {
        name: m.source,
        anonymous: m.anonymous,
        driver: m.volumeDriver,
        labels: m.volumeLabels,
        options: m.volumeOptions,
      });
      volumeDb(store).link(containerId, v.name, v.anonymous);
      points.push({
        Type: 'volume',
        Name: v.name,
        Source: volumeData(store, v.name),
        Destination: target,
        Driver: v.driver,
        // docker labels named volumes "z" unless a mode was given
        Mode: m.mode || (v.anonymous ? '' : 'z'),
        RW: !m.readOnly,
        Propagation: '',
        ...(m.noCopy ? { NoCopy: true } : {}),
        ...(v.anonymous ? { Anonymous: true } : {}),
      });
    } else if (m.type === 'bind') {
      if (!existsSync(m.source)) {
        try {
          mkdirSync(m.source, { recursive: true, mode: 0o755 });
        } catch (e) {
          throw new BerthError(
            'INVALID_ARGUMENT',
            `error while creating mount source path '${m.source}': ${(e as Error).message}`,
            { cause: e },
          );
        }
      }
      points.push({
        Type: 'bind',
        Source: m.source,
        Destination: target,
        Mode: m.mode,
        RW: !m.readOnly,
        Propagation: m.propagation || 'rprivate',
      });
    } else {
      const opts = [...m.tmpfsOptions];
      if (m.tmpfsSize) opts.push(`size=${m.tmpfsSize}`);
      if (m.tmpfsMode) opts.push(`mode=${m.tmpfsMode.toString(8)}`);
      points.push({
        Type: 'tmpfs',
        Source: '',
        Destination: target,
        Mode: '',
        RW: !m.readOnly,
        Propagation: '',
        TmpfsOptions: opts,
        ...(m.tmpfsFlag ? { TmpfsFlag: true } : {}),
      });
    }
  }
  // parents before children, as docker sorts mounts
  return points.sort((a, b) => a.Destination.split('/').length - b.Destination.split('/').length);
}

/** The OCI mounts for a container's start. Named volumes removed since are made again, empty. */
export function ociMounts(store: Store, points: MountPoint[]): OciMount[] {
  return points.map((p) => {
    const ro = p.RW ? [] : ['ro'];
    if (p.Type === 'tmpfs') {
      const opts = p.TmpfsOptions ?? [];
      const base = ['nosuid', 'nodev', ...(opts.includes('exec') ? [] : ['noexec'])];
      return {
        destination: p.Destination,
        type: 'tmpfs',
        source: 'tmpfs',
        options: [...base, ...opts.filter((o) => o !== 'exec'), ...ro],
      };
    }
    if (p.Type === 'volume') {
      const v = volumeDb(store).get(p.Name!) ?? ensureVolume(store, { name: p.Name! });
      if (v.options.type && v.options.device) {
        const o = (v.options.o ?? '').split(',').filter(Boolean);
        const bind = o.includes('bind') || o.includes('rbind');
        return {
          destination: p.Destination,
          type: bind ? 'bind' : v.options.type,
          source: v.options.device,
          options: [...o, ...ro],
        };
      }
      return {
        destination: p.Destination,
        type: 'bind',
        source: volumeData(store, v.name),
        options: ['rbind', 'rprivate', ...ro],
      };
    }
    if (!existsSync(p.Source)) throw new BerthError('NOT_FOUND', `bind source path does not exist: ${p.Source}`);
    return {
      destination: p.Destination,
      type: 'bind',
      source: p.Source,
      options: ['rbind', p.Propagation || 'rprivate', ...ro],
    };
  });
}

/** Volumes that should receive a copy of the image content at their target (empty, copy allowed). */
export function copyUpTargets(points: MountPoint[], isEmpty: (name: string) => boolean): MountPoint[] {
  return points.filter((p) => p.Type === 'volume' && !p.NoCopy && isEmpty(p.Name!));
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
