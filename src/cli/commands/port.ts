/** `berth port CONTAINER [PRIVATE_PORT[/PROTO]]`: a container's published ports. */
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['port'], ['container', 'port']],
  summary: 'List port mappings or a specific mapping for the container',
  configure(cmd) {
    cmd.argument('<CONTAINER>').argument('[PRIVATE_PORT[/PROTO]]');
  },
  async run(cli, args) {
    const info = (await (await cli.backend()).inspectContainer(args[0]!)) as {
      Name: string;
      NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> };
    };
    const ports = info.NetworkSettings.Ports ?? {};
    if (args[1]) {
      const key = args[1].includes('/') ? args[1] : `${args[1]}/tcp`;
      const bindings = ports[key];
      if (!bindings?.length) {
        cli.err(`Error: No public port '${args[1]}' published for ${info.Name.replace(/^\//, '')}`);
        return 1;
      }
      for (const b of bindings) cli.out(`${b.HostIp || '0.0.0.0'}:${b.HostPort}`);
      return 0;
    }
    const lines: string[] = [];
    for (const [k, bindings] of Object.entries(ports))
      for (const b of bindings ?? []) lines.push(`${k} -> ${b.HostIp || '0.0.0.0'}:${b.HostPort}`);
    // as the docker CLI: sorted
    for (const l of lines.sort()) cli.out(l);
  },
};
