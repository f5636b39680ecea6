/**
 * The constants the engine shares with the C in native/ (the launcher and the
 * monitor): read from native/constants.json, the one place they are written.
 * The build makes the C header from the same file (native/gen-constants.mjs,
 * binding.gyp); test/unit/shared-constants.test.ts checks both.
 */
import { createRequire } from 'node:module';

export interface SharedConstants {
  /** The store's schema version: the number of migrations (store/migrations.ts) the launcher's SQL knows. */
  storeSchema: number;
  /** Every `pruneEvery`-th event drops all but the newest `kept`. */
  events: { kept: number; pruneEvery: number };
  plan: {
    version: number;
    /** The build's hash of the code that computes plans, relative to the package (written by cli/bundle.ts). */
    stampFile: string;
    markerPrefix: string;
    markers: Record<'id12' | 'id16' | 'id64' | 'name' | 'image' | 'created' | 'started' | 'cmd' | 'ip' | 'mac', string>;
  };
  /**
   * Build replay records: the version the launcher reads; how long before a build began the files it read
   * must have last changed for a record to be written (covers coarse file timestamps).
   */
  buildRecord: { version: number; settleMs: number };
  pullRecord: { version: number };
  /** docker's rule: one of firstChars, then at least minLength - 1 of restChars (the inside of a [...] class). */
  containerName: { firstChars: string; restChars: string; minLength: number };
  /**
   * The store's layout (store/paths.ts): the defaults as root; the database, the containers' and the plans'
   * directories under the root; the directory of containers' runtime directories under the runroot.
   */
  layout: {
    defaultRoot: string;
    defaultRunroot: string;
    database: string;
    containers: string;
    plans: string;
    /** Build replay records (build/replay/record.ts), under the root. */
    buildRecords: string;
    pullRecords: string;
    containerRun: string;
  };
  /** Files in a container's runtime directory (native/PROTOCOL.md). */
  monitor: { controlSocket: string; stateFile: string };
  /** The attach stream's frame types (native/PROTOCOL.md). */
  attachFrame: Record<'stdin' | 'stdout' | 'stderr' | 'exit' | 'resize' | 'closeStdin' | 'attached', number>;
  /** Go's zero time, as docker writes it for a time not yet reached. */
  zeroTime: string;
}

// the same path from src/engine and dist/engine (the command line's bundle keeps this module's own URL)
export const SHARED = createRequire(import.meta.url)('../../native/constants.json') as SharedConstants;
