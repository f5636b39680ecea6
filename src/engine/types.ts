/**
 * The plain data types that cross the engine boundary, shaped after the
 * Docker Engine API so a remote Docker or Podman host can produce them too.
 * The UI gets them (and the Backend interface) from client/api.ts; they live
 * here only so the engine can build them without importing upward. Each group
 * has its file in api-types/; this module is the one name the rest imports.
 */
import type { MountSpec } from './container/types.js';
import type { DeviceMapping } from './security/devices.js';
import type { BuildCacheItem } from './build/cache/usage.js';

export type { MountSpec, DeviceMapping, BuildCacheItem };

export type * from './api-types/images.js';
export type * from './api-types/containers.js';
export type * from './api-types/metrics.js';
export type * from './api-types/system.js';
export type * from './api-types/registry.js';
