/** `berth update`: memory, CPU, pids limits and the restart policy of containers, live. */
import type { UpdateOptions } from '../../client/api.js';
import { integer as int } from '../container-flags.js';
import { eachContainer } from '../each.js';
import { str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['update'], ['container', 'update']],
  summary: 'Update configuration of one or more containers',
  configure(cmd) {
    cmd
      .argument('<CONTAINER...>')
      .option('-m, --memory <bytes>', 'Memory limit')
      .option('--memory-swap <bytes>', 'Swap limit equal to memory plus swap: -1 to enable unlimited swap')
      .option('--memory-reservation <bytes>', 'Memory soft limit')
      .option('--cpus <decimal>', 'Number of CPUs')
      .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)', int)
      .option('--cpu-period <int>', 'Limit CPU CFS period', int)
      .option('--cpu-quota <int>', 'Limit CPU CFS quota', int)
      .option('--cpuset-cpus <string>', 'CPUs in which to allow execution')
      .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)', int)
      .option('--restart <string>', 'Restart policy to apply when a container exits');
  },
  async run(cli, args, opts) {
    const u: UpdateOptions = {};
    const r = u as Record<string, unknown>;
    for (const k of ['memory', 'memorySwap', 'memoryReservation', 'cpus', 'cpusetCpus', 'restart'])
      if (str(opts, k) !== undefined) r[k] = str(opts, k);
    for (const k of ['cpuShares', 'cpuPeriod', 'cpuQuota', 'pidsLimit'])
      if (typeof opts[k] === 'number') r[k] = opts[k];
    if (!Object.keys(u).length) {
      cli.err('you must provide one or more flags when using this command');
      return 1;
    }
    const backend = await cli.backend();
    return eachContainer(cli, args, (ref) => backend.updateContainer(ref, u));
  },
};
