/** Every route module of the API, in the order their patterns are tried. */
import type { Route } from '../router.js';
import { containerArchiveRoutes } from './container-archive.js';
import { containerIoRoutes } from './container-io.js';
import { containerStatsRoutes } from './container-stats.js';
import { containerRoutes } from './containers.js';
import { execRoutes } from './exec.js';
import { imageTransferRoutes } from './image-transfer.js';
import { imageRoutes } from './images.js';
import { networkRoutes } from './networks.js';
import { otherRoutes } from './other.js';
import { registryRoutes } from './registry.js';
import { systemRoutes } from './system.js';
import { volumeRoutes } from './volumes.js';

export function allRoutes(): Route[] {
  return [
    ...systemRoutes,
    ...containerRoutes,
    ...containerIoRoutes,
    ...containerArchiveRoutes,
    ...containerStatsRoutes,
    ...execRoutes,
    ...registryRoutes,
    ...imageTransferRoutes,
    ...imageRoutes,
    ...volumeRoutes,
    ...networkRoutes,
    ...otherRoutes,
  ];
}
