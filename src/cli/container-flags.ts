/** The flags `create` and `run` share, and turning them into a create request. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ContainerCreateRequest } from '../client/api.js';
import { UsageError } from './context.js';
import { checkVolumeOpt, MountOptError, parseMountOpt } from './mount-opt.js';
import { deviceOpt, securityOpts } from './security-flags.js';
import { bool, collect, list, str, type Opts } from './verb.js';

/** An integer flag value (a usage error otherwise). */
export const integer = (v: string) => {
  if (!/^-?\d+$/.test(v)) throw new UsageError(`invalid argument "${v}": must be an integer`);
  return Number(v);
};

export function configureCreateFlags(cmd: Command): void {
  cmd
    .argument('<IMAGE>')
    .argument('[COMMAND...]')
    .passThroughOptions()
    .option('-a, --attach <stream>', 'Attach to STDIN, STDOUT or STDERR', collect)
    .option('--cap-add <cap>', 'Add Linux capabilities', collect)
    .option('--cap-drop <cap>', 'Drop Linux capabilities', collect)
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)', integer)
    .option('--cpu-period <int>', 'Limit CPU CFS period', integer)
    .option('--cpu-quota <int>', 'Limit CPU CFS quota', integer)
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('--cpuset-cpus <string>', 'CPUs in which to allow execution (0-3, 0,1)')
    .option('--cpuset-mems <string>', 'MEMs in which to allow execution (0-3, 0,1)')
    .option('--device <list>', 'Add a host device to the container', collect)
    .option('--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('--pull <string>', 'Pull image before running ("always"|"missing"|"never")', 'missing')
    .option('-e, --env <list>', 'Set environment variables', collect)
    .option('--env-file <file>', 'Read in a file of environment variables', collect)
    .option('-h, --hostname <string>', 'Container host name')
    .option('--init', 'Run an init inside the container that forwards signals and reaps processes')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-l, --label <list>', 'Set meta data on a container', collect)
    .option('--log-driver <string>', 'Logging driver for the container (json-file, none)')
    .option('--log-opt <list>', 'Log driver options (max-size, max-file)', collect)
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-reservation <bytes>', 'Memory soft limit')
    .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .option('--name <string>', 'Assign a name to the container')
    .option('--network <network>', 'Connect a container to a network (bridge, host, none, container:NAME, a network)')
    .option('--net <network>', 'Connect a container to a network (bridge, host, none, container:NAME, a network)')
    .option('--network-alias <list>', 'Add network-scoped alias for the container', collect)
    .option('--link <list>', 'Add link to another container (user-defined networks)', collect)
    .option('--ip <string>', 'IPv4 address (e.g., 172.30.100.104)')
    .option('--mac-address <string>', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)')
    .option('-p, --publish <list>', "Publish a container's port(s) to the host", collect)
    .option('-P, --publish-all', 'Publish all exposed ports to random ports')
    .option('--expose <list>', 'Expose a port or a range of ports', collect)
    .option('--dns <list>', 'Set custom DNS servers', collect)
    .option('--dns-search <list>', 'Set custom DNS search domains', collect)
    .option('--dns-option <list>', 'Set DNS options', collect)
    .option('--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', collect)
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)', integer)
    .option('--privileged', 'Give extended privileges to this container')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--restart <string>', 'Restart policy to apply when a container exits', 'no')
    .option('--rm', 'Automatically remove the container when it exits')
    .option('--security-opt <list>', 'Security Options (seccomp=unconfined|PROFILE.json, no-new-privileges)', collect)
    .option('--shm-size <bytes>', 'Size of /dev/shm')
    .option('--stop-signal <string>', 'Signal to stop the container')
    .option('--stop-timeout <int>', 'Timeout (in seconds) to stop a container', integer)
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .option('-v, --volume <list>', 'Bind mount a volume (name:/path, /host:/path[:ro], /path)', collect)
    .option('--mount <mount>', 'Attach a filesystem mount to the container', collect)
    .option('--tmpfs <list>', 'Mount a tmpfs directory (/path[:options])', collect);
}

/** docker's env-file format: KEY=VALUE lines, bare KEY from our environment, # comments. */
export function parseEnvFile(path: string, env: NodeJS.ProcessEnv = process.env): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`open ${path}: no such file or directory`);
  }
  const out: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/^\s+/, '').replace(/\r$/, '');
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq);
    if (!key || /\s/.test(key))
      throw new UsageError(`invalid env file ${path} line ${i + 1}: variable '${key}' contains whitespaces`);
    if (eq >= 0) out.push(line);
    else if (env[key] !== undefined) out.push(`${key}=${env[key]}`);
  });
  return out;
}

/** -e KEY takes KEY from our environment (and is dropped when unset), as docker does. */
export function envArgs(values: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  return values.flatMap((v) => {
    if (v.includes('=')) return [v];
    if (!v) throw new UsageError('invalid environment variable: empty');
    return env[v] !== undefined ? [`${v}=${env[v]}`] : [];
  });
}

/** -v ./data:/data: the docker CLI makes relative host paths absolute. */
export function absoluteHostPath(spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const colon = spec.indexOf(':');
  if (colon < 0) return spec;
  return resolve(spec.slice(0, colon)) + spec.slice(colon);
}

/** Run a flag check; its MountOptError becomes a usage error (exit 125) with docker's wording. */
function usage<T>(fn: () => T, prefix: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof MountOptError) throw new UsageError(prefix + e.message);
    throw e;
  }
}

export function createRequest(args: string[], o: Opts, run: boolean): ContainerCreateRequest {
  const [image, ...cmd] = args;
  const attach = list(o, 'attach').map((s) => s.toLowerCase());
  for (const a of attach)
    if (!['stdin', 'stdout', 'stderr'].includes(a))
      throw new UsageError(
        `invalid argument "${a}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`,
      );
  const detached = bool(o, 'detach');
  if (detached && attach.length) throw new UsageError('Conflicting options: -a and -d');
  const interactive = bool(o, 'interactive');
  const restart = str(o, 'restart') ?? 'no';
  if (bool(o, 'rm') && restart !== 'no')
    throw new UsageError('conflicting options: cannot specify both --restart and --rm');
  // docker: run attaches stdout and stderr (and stdin with -i) unless detached; create records -a/-i/-t
  const attachAll = run && !detached && !attach.length;
  const net = str(o, 'network') ?? str(o, 'net');
  const req: ContainerCreateRequest = {
    image: image!,
    ...(cmd.length ? { cmd } : {}),
    ...(str(o, 'entrypoint') !== undefined ? { entrypoint: str(o, 'entrypoint')! } : {}),
    env: [...list(o, 'envFile').flatMap((f) => parseEnvFile(f)), ...envArgs(list(o, 'env'))],
    labels: list(o, 'label'),
    tty: bool(o, 'tty'),
    openStdin: interactive,
    attachStdin: attachAll ? interactive : attach.includes('stdin'),
    attachStdout: attachAll || attach.includes('stdout') || (!run && !attach.length),
    attachStderr: attachAll || attach.includes('stderr') || (!run && !attach.length),
    autoRemove: bool(o, 'rm'),
    init: bool(o, 'init'),
    privileged: bool(o, 'privileged'),
    ...(list(o, 'securityOpt').length ? { securityOpt: securityOpts(list(o, 'securityOpt')) } : {}),
    ...(list(o, 'device').length ? { devices: list(o, 'device').map(deviceOpt) } : {}),
    readOnly: bool(o, 'readOnly'),
    capAdd: list(o, 'capAdd'),
    capDrop: list(o, 'capDrop'),
    logOpts: list(o, 'logOpt'),
    restart,
    volumes: list(o, 'volume').map((v) => {
      usage(() => checkVolumeOpt(v), '');
      return absoluteHostPath(v);
    }),
    mounts: list(o, 'mount').map((v) => usage(() => parseMountOpt(v), `invalid argument "${v}" for "--mount" flag: `)),
    tmpfs: list(o, 'tmpfs'),
  };
  const copy: [keyof ContainerCreateRequest, string][] = [
    ['name', 'name'],
    ['workdir', 'workdir'],
    ['user', 'user'],
    ['hostname', 'hostname'],
    ['memory', 'memory'],
    ['memorySwap', 'memorySwap'],
    ['memoryReservation', 'memoryReservation'],
    ['cpus', 'cpus'],
    ['cpusetCpus', 'cpusetCpus'],
    ['cpusetMems', 'cpusetMems'],
    ['shmSize', 'shmSize'],
    ['stopSignal', 'stopSignal'],
    ['logDriver', 'logDriver'],
  ];
  const r = req as unknown as Record<string, unknown>;
  for (const [k, opt] of copy) if (str(o, opt) !== undefined) r[k] = str(o, opt);
  for (const k of ['cpuShares', 'cpuPeriod', 'cpuQuota', 'pidsLimit', 'stopTimeout'])
    if (typeof o[k] === 'number') r[k] = o[k];
  if (net) req.network = net;
  const lists: [keyof ContainerCreateRequest, string][] = [
    ['publish', 'publish'],
    ['expose', 'expose'],
    ['networkAliases', 'networkAlias'],
    ['links', 'link'],
    ['dns', 'dns'],
    ['dnsSearch', 'dnsSearch'],
    ['dnsOptions', 'dnsOption'],
    ['addHosts', 'addHost'],
  ];
  for (const [k, opt] of lists) if (list(o, opt).length) r[k] = list(o, opt);
  if (bool(o, 'publishAll')) req.publishAll = true;
  if (str(o, 'ip') !== undefined) req.ip = str(o, 'ip')!;
  if (str(o, 'macAddress') !== undefined) req.macAddress = str(o, 'macAddress')!;
  return req;
}
