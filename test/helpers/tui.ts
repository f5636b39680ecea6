/** The app rendered with ink-testing-library on a real backend, with helpers to type and to wait for the screen. */
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import type { Backend } from '../../src/client/api.js';
import { App } from '../../src/tui/App.js';
import type { HostEntry } from '../../src/client/hosts.js';
import type { Services, TerminalControl } from '../../src/tui/hooks/context.js';
import { HostSet, type OpenBackend } from '../../src/tui/hosts.js';
import type { Settings } from '../../src/tui/keymap/config.js';
import { createServices, startServices, stopServices } from '../../src/tui/services.js';
import { until } from './engine.js';

export const KEYS = {
  enter: '\r',
  escape: '\x1b',
  tab: '\t',
  up: '\x1b[A',
  down: '\x1b[B',
  ctrlU: '\x15',
  ctrlS: '\x13',
  backspace: '\x7f',
};

export interface AppHarness {
  services: Services;
  frame(): string;
  /** Every frame drawn so far, oldest first. */
  frames(): readonly string[];
  press(...keys: string[]): Promise<void>;
  type(text: string): Promise<void>;
  waitFor(what: string | RegExp | ((frame: string) => boolean), ms?: number): Promise<string>;
  quits: number;
  handOvers: number;
  close(): void;
}

type RenderOptions = { settings?: Settings; cwd?: string; columns?: number; rows?: number };

/**
 * The app with a hosts list: `entries[0]` is `first`, the others are opened with `open` when
 * the app switches to them (or the hosts overview shows). close() stops every host's feeds;
 * the backends stay open (the test closes them: `harness.hosts.opened()`).
 */
export async function renderHosts(
  entries: HostEntry[],
  first: Backend,
  open: OpenBackend,
  o: RenderOptions = {},
): Promise<AppHarness & { hosts: HostSet }> {
  let hosts: HostSet | null = null;
  const h = await renderApp(first, o, (make) => {
    hosts = new HostSet(entries, first, open, (b, set) => make(b, set), startServices);
    return hosts;
  });
  return Object.assign(h, { hosts: hosts! });
}

export async function renderApp(
  backend: Backend,
  o: RenderOptions = {},
  withHosts?: (make: (b: Backend, set: HostSet) => Services) => HostSet,
): Promise<AppHarness> {
  const h = { quits: 0, handOvers: 0 };
  const make = (b: Backend, set?: HostSet): Services =>
    createServices(b, {
      ...(o.settings ? { settings: o.settings } : {}),
      ...(o.cwd ? { cwd: o.cwd } : {}),
      ...(set ? { hosts: set } : {}),
      terminal,
    });
  const terminal: TerminalControl = {
    async handOver(run) {
      h.handOvers++;
      return run();
    },
    redraw() {},
    quit() {
      h.quits++;
    },
  };
  const hosts = withHosts?.(make) ?? null;
  const services = hosts ? hosts.current() : make(backend);
  startServices(services);
  const size = { columns: o.columns ?? 100, rows: o.rows ?? 40 };
  const r = render(createElement(App, { services, ...(hosts ? { hosts } : {}), size }));
  const frame = () => r.lastFrame() ?? '';
  const harness: AppHarness = {
    services,
    frame,
    frames: () => r.frames,
    get quits() {
      return h.quits;
    },
    get handOvers() {
      return h.handOvers;
    },
    async press(...keys) {
      for (const k of keys) {
        r.stdin.write(k);
        // let Ink parse the key (a lone escape is flushed on the next turn) and React commit
        await new Promise((res) => setImmediate(res));
        await new Promise((res) => setImmediate(res));
      }
    },
    async type(text) {
      for (const ch of text) await harness.press(ch);
    },
    async waitFor(what, ms = 15_000) {
      const test =
        typeof what === 'function' ? what : (f: string) => (typeof what === 'string' ? f.includes(what) : what.test(f));
      try {
        await until(() => test(frame()), ms, 20);
      } catch {
        throw new Error(`the screen never showed ${String(what)}; it shows:\n${frame()}`);
      }
      return frame();
    },
    close() {
      r.unmount();
      for (const s of hosts ? hosts.opened() : [services]) stopServices(s);
    },
  };
  return harness;
}
