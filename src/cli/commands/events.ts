/** `berth events [-f FILTER]... [--since T] [--until T] [--format F]`: the engine's events, live. */
import { parseFilterArgs } from '../../client/filters.js';
import { eventJson, eventLine, eventTemplateData } from '../../client/format/events.js';
import { compileTemplate } from '../../client/format/template.js';
import { collect, list, str, type Verb } from '../verb.js';

export const verb: Verb = {
  paths: [['events'], ['system', 'events']],
  summary: 'Get real time events from the engine',
  configure(cmd) {
    cmd
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--format <string>', "Format output using a custom template: 'json', or a Go template")
      .option('--since <string>', 'Show all events created since timestamp')
      .option('--until <string>', 'Stream events until this timestamp');
  },
  async run(cli, _args, opts) {
    const since = str(opts, 'since');
    const until = str(opts, 'until');
    const format = str(opts, 'format');
    const render = format && format !== 'json' ? compileTemplate(format) : null;
    const backend = await cli.backend();
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      for await (const ev of backend.events({
        filters: parseFilterArgs(list(opts, 'filter')),
        ...(since !== undefined ? { since } : {}),
        ...(until !== undefined ? { until } : {}),
        signal: controller.signal,
      })) {
        cli.out(format === 'json' ? eventJson(ev) : render ? render(eventTemplateData(ev)) : eventLine(ev));
      }
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
};
