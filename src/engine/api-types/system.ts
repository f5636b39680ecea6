/**
 * The system: what `info` shows.
 * Plain data crossing the engine boundary, shaped after the Docker Engine API (types.ts says why).
 */

/** What `docker info` shows, in docker's terms (the API server renders dockerd's /info from it). */
export interface SystemInfo {
  /** The store's engine ID. */
  id: string;
  /** The host name. */
  name: string;
  containers: number;
  containersRunning: number;
  containersPaused: number;
  containersStopped: number;
  images: number;
  driver: string;
  driverStatus: [string, string][];
  loggingDriver: string;
  logDrivers: string[];
  volumeDrivers: string[];
  networkDrivers: string[];
  cgroupDriver: string;
  cgroupVersion: '1' | '2';
  memoryLimit: boolean;
  swapLimit: boolean;
  cpuCfsPeriod: boolean;
  cpuCfsQuota: boolean;
  cpuShares: boolean;
  cpuSet: boolean;
  pidsLimit: boolean;
  oomKillDisable: boolean;
  ipv4Forwarding: boolean;
  kernelVersion: string;
  operatingSystem: string;
  osVersion: string;
  osType: string;
  architecture: string;
  ncpu: number;
  memTotal: number;
  rootDir: string;
  runtimes: Record<string, { path: string }>;
  defaultRuntime: string;
  initBinary: string;
  /** docker's form: "name=seccomp,profile=builtin", "name=no-new-privileges". */
  securityOptions: string[];
  serverVersion: string;
  /** RFC 3339. */
  systemTime: string;
  warnings: string[];
}
