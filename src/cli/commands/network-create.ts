/** `berth network create [-d bridge|macvlan|ipvlan] [--subnet] [--gateway] [--ip-range] [--internal] [--attachable] [--ipv6] [-o K=V] [--label] NETWORK`. */
import { collect, bool, list, str, type Verb } from '../verb.js';
import { kvList } from './volume-create.js';

export const verb: Verb = {
  paths: [['network', 'create']],
  summary: 'Create a network',
  configure(cmd) {
    cmd
      .argument('<NETWORK>')
      .option('-d, --driver <string>', 'Driver to manage the Network (bridge, macvlan, ipvlan)', 'bridge')
      .option('--subnet <strings>', 'Subnet in CIDR format that represents a network segment', collect)
      .option('--gateway <strings>', 'IPv4 or IPv6 Gateway for the master subnet', collect)
      .option('--ip-range <strings>', 'Allocate container ip from a sub-range', collect)
      .option('--internal', 'Restrict external access to the network')
      .option('--attachable', 'Enable manual container attachment')
      .option('--ipv6', 'Enable IPv6 networking')
      .option('-o, --opt <map>', 'Set driver specific options (parent, macvlan_mode, ipvlan_mode, ...)', collect)
      .option('--label <list>', 'Set metadata on a network', collect);
  },
  async run(cli, args, opts) {
    const r = await (
      await cli.backend()
    ).createNetwork({
      name: args[0]!,
      driver: str(opts, 'driver') ?? 'bridge',
      subnets: list(opts, 'subnet'),
      gateways: list(opts, 'gateway'),
      ipRanges: list(opts, 'ipRange'),
      internal: bool(opts, 'internal'),
      attachable: bool(opts, 'attachable'),
      ipv6: bool(opts, 'ipv6'),
      options: kvList(list(opts, 'opt'), 'option'),
      labels: kvList(list(opts, 'label'), 'label'),
    });
    if (r.warning) cli.err(`WARNING: ${r.warning}`);
    cli.out(r.id);
  },
};
