/** docker's GET /info document as the client's SystemInfo (pure). */
import type { SystemInfo } from '../api.js';

type Doc = Record<string, unknown>;
const str = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const bool = (v: unknown): boolean => v === true;
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

export function systemInfoOf(d: Doc): SystemInfo {
  const plugins = (d.Plugins ?? {}) as Doc;
  const runtimes: Record<string, { path: string }> = {};
  for (const [name, r] of Object.entries((d.Runtimes ?? {}) as Record<string, Doc>))
    runtimes[name] = { path: str(r?.path, name) };
  const driverStatus = Array.isArray(d.DriverStatus)
    ? (d.DriverStatus as unknown[]).filter(
        (p): p is [string, string] => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string'),
      )
    : [];
  return {
    id: str(d.ID),
    name: str(d.Name),
    containers: num(d.Containers),
    containersRunning: num(d.ContainersRunning),
    containersPaused: num(d.ContainersPaused),
    containersStopped: num(d.ContainersStopped),
    images: num(d.Images),
    driver: str(d.Driver),
    driverStatus,
    loggingDriver: str(d.LoggingDriver),
    logDrivers: strs(plugins.Log),
    volumeDrivers: strs(plugins.Volume),
    networkDrivers: strs(plugins.Network),
    cgroupDriver: str(d.CgroupDriver),
    cgroupVersion: str(d.CgroupVersion) === '2' ? '2' : '1',
    memoryLimit: bool(d.MemoryLimit),
    swapLimit: bool(d.SwapLimit),
    cpuCfsPeriod: bool(d.CpuCfsPeriod),
    cpuCfsQuota: bool(d.CpuCfsQuota),
    cpuShares: bool(d.CPUShares),
    cpuSet: bool(d.CPUSet),
    pidsLimit: bool(d.PidsLimit),
    oomKillDisable: bool(d.OomKillDisable),
    ipv4Forwarding: bool(d.IPv4Forwarding),
    kernelVersion: str(d.KernelVersion),
    operatingSystem: str(d.OperatingSystem),
    osVersion: str(d.OSVersion),
    osType: str(d.OSType, 'linux'),
    architecture: str(d.Architecture),
    ncpu: num(d.NCPU),
    memTotal: num(d.MemTotal),
    rootDir: str(d.DockerRootDir),
    runtimes,
    defaultRuntime: str(d.DefaultRuntime),
    initBinary: str(d.InitBinary),
    securityOptions: strs(d.SecurityOptions),
    serverVersion: str(d.ServerVersion),
    systemTime: str(d.SystemTime),
    warnings: strs(d.Warnings),
  };
}
