/** `berth stats [-a] [--no-stream] [--no-trunc] [--format F] [CONTAINER...]`: docker's live resource usage table. */
import { setTimeout as sleep } from 'node:timers/promises';
import { isBerthError, type Backend } from '../../client/api.js';
import { STATS_COLUMNS, STATS_HEADERS, statsRow } from '../../client/format/stats.js';
import type { Cli } from '../context.js';
import { errorMessage } from '../errors.js';
import { renderList } from '../output.js';
import { mergeBatch, redrawFrame, updateNamed, type BoardEntry } from '../stats-board.js';
import { bool, str, type Verb } from '../verb.js';

const SPEC = { columns: STATS_COLUMNS, headers: STATS_HEADERS, idField: 'ID' };

/** The terminal side of a live table: Ctrl-C ends it (exit 130, as docker), the cursor is hidden meanwhile and restored. */
class Screen {
  readonly controller = new AbortController();
  private signalled = 0;
  private readonly tty: boolean;
  private readonly onSignal = (sig: NodeJS.Signals) => {
    this.signalled = sig === 'SIGINT' ? 130 : 143;
    this.controller.abort();
  };

  constructor(private readonly cli: Cli) {
    this.tty = !!cli.stdout.isTTY;
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    if (this.tty) cli.stdout.write('\x1b[?25l');
  }

  draw(text: string): void {
    if (!this.controller.signal.aborted) this.cli.stdout.write(redrawFrame(text));
  }

  /** The exit status: 0, or 128 + the signal that ended it. */
  close(): number {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    if (this.tty) this.cli.stdout.write('\x1b[?25h');
    return this.signalled;
  }
}

/** Every running container (with -a every container, stopped ones as zeros); rows come and go. */
async function everyContainer(
  backend: Backend,
  all: boolean,
  signal: AbortSignal,
  show: (rows: BoardEntry[]) => boolean,
): Promise<void> {
  let entries: BoardEntry[] = [];
  for await (const batch of backend.allStats({ signal })) {
    const listed = all
      ? (await backend.listContainers({ all: true })).map((c) => ({
          id: c.Id,
          name: (c.Names[0] ?? '').replace(/^\//, ''),
        }))
      : null;
    entries = mergeBatch(entries, batch, listed);
    if (!show(entries)) return;
  }
}

/** Named containers: one stream each; a stopped one shows zeros and is watched until it runs again. */
async function namedContainers(
  backend: Backend,
  named: BoardEntry[],
  once: boolean,
  signal: AbortSignal,
  show: (rows: BoardEntry[]) => void,
): Promise<void> {
  let entries = named;
  let pending = false;
  const changed = () => {
    if (pending || once) return;
    pending = true;
    setImmediate(() => {
      pending = false;
      show(entries);
    });
  };
  await Promise.all(
    named.map(async ({ id }) => {
      while (!signal.aborted) {
        try {
          for await (const s of backend.containerStats(id, { signal })) {
            entries = updateNamed(entries, id, s);
            if (once) return;
            changed();
          }
        } catch (e) {
          if (!isBerthError(e, 'NOT_FOUND')) throw e; // removed meanwhile: zeros, as docker shows
        }
        entries = updateNamed(entries, id, null);
        if (once) return;
        changed();
        await sleep(1000, undefined, { signal }).catch(() => undefined);
      }
    }),
  );
  if (once) show(entries);
}

export const verb: Verb = {
  paths: [['stats'], ['container', 'stats']],
  summary: 'Display a live stream of container(s) resource usage statistics',
  configure(cmd) {
    cmd
      .argument('[CONTAINER...]')
      .option('-a, --all', 'Show all containers (default shows just running)')
      .option('--format <string>', "Format output using a custom template: 'table', 'json', or a Go template")
      .option('--no-stream', 'Disable streaming stats and only pull the first result')
      .option('--no-trunc', 'Do not truncate output');
  },
  async run(cli, args, opts) {
    const backend = await cli.backend();
    const once = opts.stream === false;
    const trunc = opts.trunc !== false;
    const format = str(opts, 'format');
    const render = (rows: BoardEntry[]) =>
      renderList(
        rows.map((r) => statsRow(r, trunc)),
        SPEC,
        { format },
      );

    const named: BoardEntry[] = [];
    const errors: string[] = [];
    for (const ref of new Set(args)) {
      try {
        const i = await backend.inspectContainer(ref);
        named.push({ container: ref, id: i.Id, name: i.Name.replace(/^\//, ''), sample: null });
      } catch (e) {
        errors.push(errorMessage(e));
      }
    }
    if (errors.length) {
      for (const m of errors) cli.err(`Error: ${m}`);
      return 1;
    }

    if (once) {
      const controller = new AbortController();
      if (named.length)
        await namedContainers(backend, named, true, controller.signal, (rows) => cli.stdout.write(render(rows)));
      else {
        await everyContainer(backend, bool(opts, 'all'), controller.signal, (rows) => {
          if (rows.length) cli.stdout.write(render(rows));
          return false;
        });
      }
      return 0;
    }
    const screen = new Screen(cli);
    let status = 0;
    try {
      const signal = screen.controller.signal;
      const draw = (rows: BoardEntry[]) => {
        screen.draw(render(rows));
        return true;
      };
      if (named.length) await namedContainers(backend, named, false, signal, draw);
      else await everyContainer(backend, bool(opts, 'all'), signal, draw);
    } finally {
      status = screen.close();
    }
    return status;
  },
};
