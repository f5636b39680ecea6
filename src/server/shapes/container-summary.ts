/** GET /containers/json items in dockerd's shape (Status in docker's words), from the seam's summaries. Pure. */
import type { ContainerSummary } from '../../client/api.js';
import { containerStatus } from '../../client/format/humanize.js';

/** dockerd's EndpointSettings with nothing set (berth has no bridge addresses yet). */
export function emptyEndpoint(): Record<string, unknown> {
  return {
    IPAMConfig: null,
    Links: null,
    Aliases: null,
    MacAddress: '',
    DriverOpts: null,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  };
}

export function containerListItem(c: ContainerSummary, now = new Date()): Record<string, unknown> {
  return {
    Id: c.Id,
    Names: c.Names,
    Image: c.Image,
    ImageID: c.ImageID,
    Command: c.Command,
    Created: c.Created,
    Ports: c.Ports,
    ...(c.SizeRw !== undefined ? { SizeRw: c.SizeRw, SizeRootFs: c.SizeRootFs ?? c.SizeRw } : {}),
    Labels: c.Labels,
    State: c.State,
    Status:
      c.Status ||
      containerStatus({ status: c.State, exitCode: c.ExitCode, startedAt: c.StartedAt, finishedAt: c.FinishedAt }, now),
    HostConfig: { NetworkMode: c.HostConfig.NetworkMode },
    NetworkSettings: {
      Networks: Object.fromEntries(Object.keys(c.NetworkSettings.Networks).map((n) => [n, emptyEndpoint()])),
    },
    Mounts: c.Mounts,
  };
}
