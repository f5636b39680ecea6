/**
 * `berth` with no command: the full-screen app. Reads the settings, opens
 * the backend, takes the terminal (alternate screen) and gives it back on
 * quit, Ctrl-C, SIGTERM/SIGHUP (a dropped SSH link) and on a crash, with the
 * error printed after the screen is restored. Exec and attach unmount the
 * app, hand the terminal over and mount it again as it was.
 */
import type { Backend } from '../client/api.js';
import type { Services, TerminalControl } from './hooks/context.js';
import { ConfigError, loadSettings } from './keymap/config.js';
import { createServices, startServices, stopServices } from './services.js';
import { FrameWriter } from './terminal/frame-writer.js';
import { KeyInput } from './terminal/key-input.js';
import { Screen } from './terminal/screen.js';
import { detectTheme } from './theme/theme.js';

/** --root/--runroot (the only options main.ts sends here). */
export function parseAppArgs(argv: string[]): { root?: string; runroot?: string } {
  const out: { root?: string; runroot?: string } = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--(root|runroot)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) continue;
    const v = m[2] ?? argv[++i];
    if (v) out[m[1] as 'root' | 'runroot'] = v;
  }
  return out;
}

const SIGNAL_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

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
  const [{ createElement }, { render }, { App }, theme, { EmbeddedBackend }] = await Promise.all([
    import('react'),
    import('ink'),
    import('./App.js'),
    detectTheme(),
    import('../client/embedded.js'),
  ]);
  let backend: Backend;
  try {
    backend = new EmbeddedBackend(parseAppArgs(argv));
  } catch (e) {
    stderr.write(`berth: ${(e as Error).message}\n`);
    return 1;
  }

  const screen = new Screen(stdout, stdin);
  const writer = new FrameWriter(stdout);
  const keys = new KeyInput(stdin);
  let instance: ReturnType<typeof render> | null = null;
  let finish: (code: number, error?: unknown) => void = () => undefined;
  let handedOver = false;
  let finished = false;
  const done = new Promise<{ code: number; error?: unknown }>((resolve) => {
    finish = (code, error) => {
      finished = true;
      resolve({ code, error });
    };
  });

  const mount = (s: Services) => {
    writer.resume();
    // debug mode: Ink hands each frame to the writer as plain text (see terminal/frame-writer.ts)
    instance = render(createElement(App, { services: s }), {
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

  const terminal: TerminalControl = {
    async handOver(run) {
      unmount();
      screen.restore();
      handedOver = true;
      try {
        return await run();
      } finally {
        handedOver = false;
        // a signal that ended the app while the terminal was away: do not come back
        if (!finished) {
          screen.enter();
          mount(services);
        }
      }
    },
    redraw() {
      unmount();
      mount(services);
    },
    quit: () => finish(0),
  };
  const services = createServices(backend, { settings, theme, terminal });

  // a dropped link, a kill, or a crash outside React: restore the terminal first
  // while a container has the terminal, Ctrl-C belongs to it (attach without a tty detaches on it)
  const onSignal = (sig: NodeJS.Signals) =>
    sig === 'SIGINT' && handedOver ? undefined : finish(SIGNAL_CODES[sig] ?? 1);
  const onCrash = (e: unknown) => finish(1, e);
  const onWriteError = () => undefined; // EIO/EPIPE once the terminal is gone
  const signals: NodeJS.Signals[] = ['SIGTERM', 'SIGHUP', 'SIGINT'];
  for (const s of signals) process.on(s, onSignal);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  stdout.on('error', onWriteError);

  screen.enter();
  mount(services);
  startServices(services);
  const result = await done;

  unmount();
  screen.restore();
  stopServices(services);
  for (const s of signals) process.off(s, onSignal);
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);
  await backend.close().catch(() => undefined);
  if (result.error !== undefined) {
    const e = result.error as Error;
    stderr.write(`berth: the app stopped on an error: ${e?.stack ?? String(e)}\n`);
  }
  // a stream still open (a log follow, the stats sampler) must not keep the process
  setTimeout(() => process.exit(result.code), 50).unref();
  return result.code;
}
