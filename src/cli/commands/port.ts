/** `berth port CONTAINER [PRIVATE_PORT[/PROTO]]`: published ports (none until bridge networking exists). */
import type { Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['port'], ['container', 'port']],
  summary: 'List port mappings or a specific mapping for the container',
  configure(cmd) {
    cmd.argument('<CONTAINER>').argument('[PRIVATE_PORT[/PROTO]]');
  },
  async run(cli, args) {
    const info = await (await cli.backend()).inspectContainer(args[0]!);
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
    for (const [k, bindings] of Object.entries(ports))
      for (const b of bindings ?? []) cli.out(`${k} -> ${b.HostIp || '0.0.0.0'}:${b.HostPort}`);
  },
};
