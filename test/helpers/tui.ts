/** The app rendered with ink-testing-library on a real backend, with helpers to type and to wait for the screen. */
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import type { Backend } from '../../src/client/api.js';
import { App } from '../../src/tui/App.js';
import type { Services } from '../../src/tui/hooks/context.js';
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

export async function renderApp(
  backend: Backend,
  o: { settings?: Settings; cwd?: string; columns?: number; rows?: number } = {},
): Promise<AppHarness> {
  const h = { quits: 0, handOvers: 0 };
  const services = createServices(backend, {
    ...(o.settings ? { settings: o.settings } : {}),
    ...(o.cwd ? { cwd: o.cwd } : {}),
    terminal: {
      async handOver(run) {
        h.handOvers++;
        return run();
      },
      redraw() {},
      quit() {
        h.quits++;
      },
    },
  });
  startServices(services);
  const r = render(createElement(App, { services, size: { columns: o.columns ?? 100, rows: o.rows ?? 40 } }));
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
      stopServices(services);
    },
  };
  return harness;
}
