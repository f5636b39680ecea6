/** `berth volume create [--name] NAME [-d local] [-l K=V]... [-o K=V]...`. */
import { UsageError } from '../context.js';
import { collect, list, str, type Verb } from '../verb.js';

export function kvList(items: string[], what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const it of items) {
    const eq = it.indexOf('=');
    if (what === 'label') out[eq < 0 ? it : it.slice(0, eq)] = eq < 0 ? '' : it.slice(eq + 1);
    else {
      if (eq <= 0) throw new UsageError(`invalid ${what} "${it}": expected key=value`);
      out[it.slice(0, eq)] = it.slice(eq + 1);
    }
  }
  return out;
}

export const verb: Verb = {
  paths: [['volume', 'create']],
  summary: 'Create a volume',
  configure(cmd) {
    cmd
      .argument('[VOLUME]')
      .option('--name <string>', 'Specify volume name')
      .option('-d, --driver <string>', 'Specify volume driver name', 'local')
      .option('-l, --label <list>', 'Set metadata for a volume', collect)
      .option('-o, --opt <map>', 'Set driver specific options (type, device, o)', collect);
  },
  async run(cli, args, opts) {
    const flagName = str(opts, 'name');
    if (flagName && args[0] && flagName !== args[0]) {
      throw new UsageError(`conflicting options: either specify --name or provide positional arg, not both`);
    }
    const name = flagName ?? args[0];
    const v = await (
      await cli.backend()
    ).createVolume({
      ...(name ? { name } : {}),
      driver: str(opts, 'driver') ?? 'local',
      labels: kvList(list(opts, 'label'), 'label'),
      options: kvList(list(opts, 'opt'), 'option'),
    });
    cli.out(v.Name);
  },
};
