/** `docker info`'s text for a /info document (the docker CLI's layout, Server section). Pure. */
import { bytesSize } from './humanize.js';

export function infoText(i: Record<string, any>, client: { version: string }): { out: string; warnings: string[] } {
  const lines: string[] = [];
  const add = (...parts: unknown[]) => lines.push(parts.map(String).join(' '));
  const nonEmpty = (label: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') add(label, v);
  };
  lines.push('Client:', ` Version:    ${client.version}`, ' Context:    default', ' Debug Mode: false', '', 'Server:');
  add(' Containers:', i.Containers);
  add('  Running:', i.ContainersRunning);
  add('  Paused:', i.ContainersPaused);
  add('  Stopped:', i.ContainersStopped);
  add(' Images:', i.Images);
  nonEmpty(' Server Version:', i.ServerVersion);
  nonEmpty(' Storage Driver:', i.Driver);
  for (const [k, v] of i.DriverStatus ?? []) lines.push(`  ${k}: ${v}`);
  nonEmpty(' Logging Driver:', i.LoggingDriver);
  nonEmpty(' Cgroup Driver:', i.CgroupDriver);
  nonEmpty(' Cgroup Version:', i.CgroupVersion);
  add(' Plugins:');
  add('  Volume:', (i.Plugins?.Volume ?? []).join(' '));
  add('  Network:', (i.Plugins?.Network ?? []).join(' '));
  add('  Log:', (i.Plugins?.Log ?? []).join(' '));
  add(' Swarm:', i.Swarm?.LocalNodeState ?? 'inactive');
  const runtimes = Object.keys(i.Runtimes ?? {}).sort();
  if (runtimes.length) {
    add(' Runtimes:', runtimes.join(' '));
    add(' Default Runtime:', i.DefaultRuntime);
  }
  add(' Init Binary:', i.InitBinary);
  add(' containerd version:', i.ContainerdCommit?.ID ?? '');
  add(' runc version:', i.RuncCommit?.ID ?? '');
  add(' init version:', i.InitCommit?.ID ?? '');
  const secopts: string[] = i.SecurityOptions ?? [];
  if (secopts.length) {
    add(' Security Options:');
    for (const so of secopts) {
      const kv = Object.fromEntries(
        so.split(',').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
      );
      add(`  ${kv.name ?? so}`);
      if (kv.profile) add('   Profile:', kv.profile);
    }
  }
  nonEmpty(' Kernel Version:', i.KernelVersion);
  nonEmpty(' Operating System:', i.OperatingSystem);
  nonEmpty(' OSType:', i.OSType);
  nonEmpty(' Architecture:', i.Architecture);
  add(' CPUs:', i.NCPU);
  add(' Total Memory:', bytesSize(i.MemTotal));
  nonEmpty(' Name:', i.Name);
  nonEmpty(' ID:', i.ID);
  add(' Docker Root Dir:', i.DockerRootDir);
  add(' Debug Mode:', i.Debug);
  nonEmpty(' HTTP Proxy:', i.HttpProxy);
  nonEmpty(' HTTPS Proxy:', i.HttpsProxy);
  nonEmpty(' No Proxy:', i.NoProxy);
  add(' Experimental:', i.ExperimentalBuild);
  const rc = i.RegistryConfig;
  if (rc && ((rc.InsecureRegistryCIDRs ?? []).length || Object.keys(rc.IndexConfigs ?? {}).length)) {
    add(' Insecure Registries:');
    for (const c of Object.values(rc.IndexConfigs ?? {}) as { Name: string; Secure: boolean }[])
      if (!c.Secure) add(`  ${c.Name}`);
    for (const cidr of rc.InsecureRegistryCIDRs ?? []) add(`  ${cidr}`);
  }
  if ((rc?.Mirrors ?? []).length) {
    add(' Registry Mirrors:');
    for (const m of rc.Mirrors) add(`  ${m}`);
  }
  add(' Live Restore Enabled:', i.LiveRestoreEnabled);
  lines.push('');
  return { out: lines.join('\n') + '\n', warnings: i.Warnings ?? [] };
}
