/**
 * `berth` with no command: the full-screen app. Reads the settings, opens
 * the backend, takes the terminal (alternate screen) and gives it back on
 * quit, Ctrl-C, SIGTERM and on a crash, with the error printed after the
 * screen is restored. Exec and attach unmount the app, hand the terminal
 * over and mount it again as it was.
 *
 * While the app owns the screen only its frames reach the terminal: stray
 * output and warnings go to `<runroot>/app.log` (terminal/stray-output.ts).
 *
 * A hangup (SIGHUP, or the terminal found gone: a read or write fails with
 * EIO, the descriptor no longer answers as a terminal) ends the app quietly
 * as SIGHUP ends a process (status 129), after the work in progress has
 * ended (actions/work.ts: a save or a load cancelled as Esc would, a commit
 * finished, an attached container left running). It writes nothing more to
 * the terminal, and the process ends by the signal itself: Node's exit
 * would try to reset the gone terminal's modes and abort on the failure
 * (an assertion in node::ResetStdio).
 */
import { join } from 'node:path';
import type { Backend } from '../client/api.js';
import { terminalGone } from '../client/attach-io.js';
import { inProgress, settle } from './actions/work.js';
import type { Services, TerminalControl } from './hooks/context.js';
import { ConfigError, loadSettings } from './keymap/config.js';
import { HostSet } from './hosts.js';
import { createServices, startServices, stopServices } from './services.js';
import { FrameWriter } from './terminal/frame-writer.js';
import { KeyInput } from './terminal/key-input.js';
import { Screen } from './terminal/screen.js';
import { StrayOutput } from './terminal/stray-output.js';
import { detectTheme } from './theme/theme.js';

type AppArgs = { root?: string; runroot?: string; host?: string; context?: string };

/** --root/--runroot, -H/--host and -c/--context (the only options main.ts sends here). */
export function parseAppArgs(argv: string[]): AppArgs {
  const out: AppArgs = {};
  const short: Record<string, keyof AppArgs> = { H: 'host', c: 'context' };
  for (let i = 0; i < argv.length; i++) {
    const m = /^(?:--(root|runroot|host|context)|-([Hc]))(?:=?(.+))?$/.exec(argv[i]!);
    if (!m) continue;
    const key = (m[1] as keyof AppArgs | undefined) ?? short[m[2]!]!;
    const v = m[3] ?? argv[++i];
    if (v) out[key] = v;
  }
  return out;
}

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };
export const HANGUP_STATUS = 129;

/** The app's log of output that was not its own, in the runtime directory. */
export const appLogPath = (runroot: string): string => join(runroot, 'app.log');

export async function startApp(argv: string[]): Promise<number> {
  const { stdin, stdout, stderr } = process;
  if (!stdin.isTTY || !stdout.isTTY) {
    stderr.write('berth: the app needs a terminal on stdin and stdout; see `berth --help` for the commands\n');
    return 1;
  }
  let settings;
  try {
    settings = await loadSettings();
  } catch (e) {
    stderr.write(`berth: ${e instanceof ConfigError ? e.message : (e as Error).message}\n`);
    return 1;
  }
  const [{ createElement }, { render }, { App }, theme, { openBackend }, { hostEntries, startEntry }] =
    await Promise.all([
      // React is CommonJS: its exports are the default export, in the bundle's chunk as in Node
      import('react').then((m) => m.default),
      import('ink'),
      import('./App.js'),
      detectTheme(),
      import('../client/open.js'),
      import('../client/hosts.js'),
    ]);
  const args = parseAppArgs(argv);
  let backend: Backend;
  try {
    backend = await openBackend(args);
  } catch (e) {
    stderr.write(`berth: ${(e as Error).message}\n`);
    return 1;
  }

  const stray = new StrayOutput(appLogPath(backend.info().runroot), (entries) =>
    hosts.current().store.dispatch({ type: 'logged', entries, path: stray.path }),
  );
  const screen = new Screen(stdout, stdin, stray.write);
  const writer = new FrameWriter(stdout, stray.write);
  const keys = new KeyInput(stdin);
  let instance: ReturnType<typeof render> | null = null;
  let finish: (code: number, error?: unknown) => void = () => undefined;
  let handedOver = false;
  let finished = false;
  /** The terminal went away: nothing more is written to it. */
  let gone = false;
  /** The app ends as SIGHUP ends a process. */
  let hungUp = false;
  const done = new Promise<{ code: number; error?: unknown }>((resolve) => {
    finish = (code, error) => {
      if (finished) return;
      finished = true;
      resolve({ code, error });
    };
  });
  /**
   * SIGHUP, or the terminal found gone. A plain `kill -HUP` finds the terminal
   * still there: the screen is given back first, as on SIGTERM.
   */
  const hangup = (terminalIsGone = terminalGone(stdin) || terminalGone(stdout) || stdout.destroyed) => {
    gone ||= terminalIsGone;
    hungUp = true;
    finish(HANGUP_STATUS);
  };

  const mount = (s: Services) => {
    writer.resume();
    // debug mode: Ink hands each frame to the writer as plain text (see terminal/frame-writer.ts)
    instance = render(createElement(App, { services: s, hosts }), {
      stdout: writer as unknown as NodeJS.WriteStream,
      stdin: keys as unknown as NodeJS.ReadStream,
      stderr,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    });
    instance.waitUntilExit().catch((e: unknown) => finish(1, e));
  };
  const unmount = () => {
    const i = instance;
    instance = null;
    i?.unmount();
    writer.pause();
  };
  /** Take the screen: only frames reach the terminal until `giveBack`. */
  const own = () => {
    screen.enter();
    stray.capture();
  };
  const giveBack = () => {
    if (gone) return; // nothing to give back to; what is still written goes to the log
    screen.restore();
    stray.release();
  };

  const terminal: TerminalControl = {
    async handOver(run) {
      unmount();
      giveBack();
      handedOver = true;
      try {
        return await run();
      } finally {
        handedOver = false;
        // the terminal may have gone while it was handed over (exec blocks this process meanwhile)
        if (terminalGone(stdin) || terminalGone(stdout)) hangup(true);
        // a signal that ended the app while the terminal was away: do not come back
        if (!finished) {
          own();
          mount(hosts.current());
        }
      }
    },
    redraw() {
      unmount();
      mount(hosts.current());
    },
    quit: () => finish(0),
  };
  // the hosts list: this engine first, then the embedded one, the docker contexts and the config file's hosts
  const context = args.context ?? (args.host ? undefined : process.env.DOCKER_CONTEXT);
  const entries = hostEntries(startEntry(args, { endpoint: backend.info().endpoint, context }), settings.hosts);
  const hosts = new HostSet(
    entries,
    backend,
    openBackend,
    (b, set) => createServices(b, { settings, theme, terminal, hosts: set }),
    startServices,
  );

  // a kill or a crash outside React: restore the terminal first; a hangup: end quietly
  // while a container has the terminal, Ctrl-C belongs to it (attach without a tty detaches on it)
  const onSignal = (sig: NodeJS.Signals) => {
    if (sig === 'SIGINT' && handedOver) return;
    // a second signal while the work in progress ends: go now
    if (finished && !hungUp) process.exit(SIGNAL_CODES[sig] ?? 1);
    finish(SIGNAL_CODES[sig] ?? 1);
  };
  const onCrash = (e: unknown) => {
    if (gone) {
      // once the terminal is gone, a failed read or write of it is expected; anything else is kept in the log
      const code = (e as NodeJS.ErrnoException)?.code;
      if (code !== 'EIO' && code !== 'EPIPE') stray.log('uncaught', (e as Error)?.stack ?? String(e));
      return;
    }
    finish(1, e);
  };
  // EIO on a read or a write, or the end of input from a terminal that no longer is one: it hung up
  const onGone = () => hangup(true);
  const onEnd = () => {
    if (terminalGone(stdin)) hangup(true);
  };
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];
  for (const s of signals) process.on(s, onSignal);
  const onHup = () => hangup();
  process.on('SIGHUP', onHup);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  stdout.on('error', onGone);
  // stderr may be a file (2>log): only its terminal going away counts
  const onStderrError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EIO' || terminalGone(stderr)) hangup(true);
  };
  stderr.on('error', onStderrError);
  stdin.on('error', onGone);
  stdin.on('end', onEnd);

  own();
  // the first frame's lists are asked for before React mounts the app, and a few turns of the event
  // loop let their connections be made and the requests written (the mount holds the loop some 50-100
  // ms): over a slow link their round trip overlaps the mount rather than following it
  startServices(hosts.current());
  for (let i = 0; i < 8; i++) await new Promise((r) => setImmediate(r));
  mount(hosts.current());
  const result = await done;

  unmount();
  giveBack();
  const every = hosts.opened();
  if (every.some(inProgress) && !gone) stderr.write('berth: waiting for the work in progress to end\n');
  // a save or a load is cancelled as Esc would, a commit finishes, an attach detaches
  await Promise.all(every.map(settle));
  for (const s of every) stopServices(s);
  await Promise.all(every.map((s) => s.backend.close().catch(() => undefined)));
  if (result.error !== undefined && !gone) {
    const e = result.error as Error;
    stderr.write(`berth: the app stopped on an error: ${e?.stack ?? String(e)}\n`);
  }
  stray.close();
  if (hungUp) {
    // end as SIGHUP ends a process (129): Node's own exit would reset the modes of the gone terminal and abort
    process.removeAllListeners('SIGHUP');
    process.kill(process.pid, 'SIGHUP');
  }
  for (const s of signals) process.off(s, onSignal);
  process.off('SIGHUP', onHup);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  // a stream still open (a log follow, the stats sampler) must not keep the process
  setTimeout(() => process.exit(result.code), 50).unref();
  return result.code;
}
