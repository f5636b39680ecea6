/**
 * The parts of docker's ContainerInspect that berth keeps in a simpler form:
 * HostConfig with every field docker shows, in docker's order, and
 * NetworkSettings. Pure.
 */
import type { HostConfig } from './types.js';

/** HostConfig fields in docker's order, with docker's value for a field berth does not set. */
const HOST_CONFIG_FIELDS: [string, unknown][] = [
  ['Binds', null],
  ['ContainerIDFile', ''],
  ['LogConfig', { Type: 'json-file', Config: {} }],
  ['NetworkMode', 'default'],
  ['PortBindings', {}],
  ['RestartPolicy', { Name: 'no', MaximumRetryCount: 0 }],
  ['AutoRemove', false],
  ['VolumeDriver', ''],
  ['VolumesFrom', null],
  ['CapAdd', null],
  ['CapDrop', null],
  ['CgroupnsMode', 'host'],
  ['Dns', []],
  ['DnsOptions', []],
  ['DnsSearch', []],
  ['ExtraHosts', null],
  ['GroupAdd', null],
  ['IpcMode', 'private'],
  ['Cgroup', ''],
  ['Links', null],
  ['OomScoreAdj', 0],
  ['PidMode', ''],
  ['Privileged', false],
  ['PublishAllPorts', false],
  ['ReadonlyRootfs', false],
  ['SecurityOpt', null],
  ['Tmpfs', undefined],
  ['UTSMode', ''],
  ['UsernsMode', ''],
  ['ShmSize', 67108864],
  ['Runtime', 'berth'],
  ['ConsoleSize', [0, 0]],
  ['Isolation', ''],
  ['CpuShares', 0],
  ['Memory', 0],
  ['NanoCpus', 0],
  ['CgroupParent', ''],
  ['BlkioWeight', 0],
  ['BlkioWeightDevice', []],
  ['BlkioDeviceReadBps', []],
  ['BlkioDeviceWriteBps', []],
  ['BlkioDeviceReadIOps', []],
  ['BlkioDeviceWriteIOps', []],
  ['CpuPeriod', 0],
  ['CpuQuota', 0],
  ['CpuRealtimePeriod', 0],
  ['CpuRealtimeRuntime', 0],
  ['CpusetCpus', ''],
  ['CpusetMems', ''],
  ['Devices', []],
  ['DeviceCgroupRules', null],
  ['DeviceRequests', null],
  ['KernelMemory', 0],
  ['KernelMemoryTCP', 0],
  ['MemoryReservation', 0],
  ['MemorySwap', 0],
  ['MemorySwappiness', null],
  ['OomKillDisable', false],
  ['PidsLimit', null],
  ['Ulimits', []],
  ['CpuCount', 0],
  ['CpuPercent', 0],
  ['IOMaximumIOps', 0],
  ['IOMaximumBandwidth', 0],
  ['Mounts', undefined],
  ['MaskedPaths', []],
  ['ReadonlyPaths', []],
  ['Init', undefined],
];

/** Fields docker leaves out when empty (omitempty). */
const OMIT_EMPTY = new Set(['Tmpfs', 'Mounts', 'Init']);

export function hostConfigView(hc: HostConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, def] of HOST_CONFIG_FIELDS) {
    const v = k in hc ? hc[k] : def;
    if (OMIT_EMPTY.has(k) && (v === null || v === undefined)) continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(hc)) if (!(k in out) && !OMIT_EMPTY.has(k)) out[k] = v;
  return out;
}
