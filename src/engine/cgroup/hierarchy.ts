/**
 * Where a container's cgroup lives: cgroup v1 (one hierarchy per controller,
 * as on hybrid hosts like this one) or v2 (the unified hierarchy). Parsing
 * is pure; the layout of this host is read once.
 */
import { readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

export interface CgroupLayout {
  v2: boolean;
  /** v1: controller name -> mount point of its hierarchy. */
  controllers: Map<string, string>;
  /** v2: the unified mount point. */
  unified: string;
}

const CGROUP2_SUPER_MAGIC = 0x63677270;

/** Parse /proc/self/mountinfo for cgroup v1 hierarchies and the v2 mount. */
export function parseMountinfo(text: string): { v1: Map<string, string>; v2: string | null } {
  const v1 = new Map<string, string>();
  let v2: string | null = null;
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const [fstype, , superOpts = ''] = line.slice(sep + 3).split(' ');
    const mountPoint = line.slice(0, sep).split(' ')[4];
    if (!mountPoint) continue;
    if (fstype === 'cgroup2' && !v2) v2 = mountPoint;
    if (fstype !== 'cgroup') continue;
    for (const opt of superOpts.split(',')) {
      if (['rw', 'ro', 'relatime'].includes(opt) || opt.startsWith('name=')) continue;
      if (!v1.has(opt)) v1.set(opt, mountPoint);
    }
  }
  return { v1, v2 };
}

/**
 * The layout from mountinfo and whether /sys/fs/cgroup itself is the cgroup2
 * file system (the test the monitor makes too): unified when it is; otherwise
 * v1 controllers, with the v2 mount (hybrid hosts) kept for reference only,
 * since containers are not placed in it there.
 */
export function layoutFrom(mountinfo: string, unifiedAtSysFsCgroup: boolean): CgroupLayout {
  const { v1, v2: unified } = parseMountinfo(mountinfo);
  if (unifiedAtSysFsCgroup) return { v2: true, controllers: new Map(), unified: '/sys/fs/cgroup' };
  return { v2: false, controllers: v1, unified: unified ?? '' };
}

let cached: CgroupLayout | null = null;

export function cgroupLayout(): CgroupLayout {
  if (cached) return cached;
  let v2 = false;
  try {
    v2 = statfsSync('/sys/fs/cgroup').type === CGROUP2_SUPER_MAGIC;
  } catch {
    v2 = false;
  }
  cached = layoutFrom(readFileSync('/proc/self/mountinfo', 'utf8'), v2);
  return cached;
}

/** The cgroupsPath berth gives a container. */
export function containerCgroupPath(id: string): string {
  return `/berth/${id}`;
}

/** The directory of a container's cgroup for a controller (v2: the one directory). */
export function cgroupDir(path: string, controller: string, layout = cgroupLayout()): string | null {
  if (layout.v2) return join(layout.unified, path);
  const mount = layout.controllers.get(controller);
  return mount ? join(mount, path) : null;
}

export function readCgroupFile(path: string, controller: string, file: string): string | null {
  const dir = cgroupDir(path, controller);
  if (!dir) return null;
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch {
    return null;
  }
}
