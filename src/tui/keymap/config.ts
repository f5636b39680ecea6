/**
 * The user's settings: `$XDG_CONFIG_HOME/berth/config.json` (default
 * `~/.config/berth/config.json`), validated (zod for the shape, then the key
 * names and command ids against the table) and merged over the defaults.
 * A bad file is refused with one line naming the file, the setting and what
 * was wrong.
 *
 *   {
 *     "keys": { "container.stop": "x", "list.down": ["j", "down", "ctrl-n"] },
 *     "logs": { "bufferLines": 5000, "tail": 500, "timestamps": false },
 *     "stats": { "windowSeconds": 60 },
 *     "containers": { "showAll": true },
 *     "service": { "group": "docker" },
 *     "registry": { "insecure-registries": ["myhost:5000"] },
 *     "hosts": { "build1": "ssh://root@build1", "lab": "tcp://10.0.0.5:2376" }
 *   }
 */
import { readFileSync } from 'node:fs';
import { configPath, GROUP_NAME } from '../../client/settings-file.js';
import { DEFAULT_BINDINGS, SCOPE_TITLES, type Binding } from './bindings.js';
import { isValidKeyName } from './keys.js';

export interface Settings {
  bindings: Binding[];
  logs: { bufferLines: number; tail: number; timestamps: boolean };
  stats: { windowSeconds: number };
  containers: { showAll: boolean };
  /** Engines named in the file for the hosts list (name → -H address), in the file's order. */
  hosts: { name: string; host: string }[];
}

export interface UserConfig {
  keys?: Record<string, string | string[]>;
  logs?: Partial<Settings['logs']>;
  stats?: Partial<Settings['stats']>;
  containers?: Partial<Settings['containers']>;
  hosts?: Record<string, string>;
}

export const DEFAULT_SETTINGS: Settings = {
  bindings: DEFAULT_BINDINGS.map((b) => ({ ...b, keys: [...b.keys] })),
  logs: { bufferLines: 5000, tail: 500, timestamps: false },
  stats: { windowSeconds: 60 },
  containers: { showAll: true },
  hosts: [],
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export { configPath };

/** Validate the shape of a parsed config; returns it typed or throws ConfigError naming the setting. */
export async function validateShape(raw: unknown, file: string): Promise<UserConfig> {
  const { z } = await import('zod');
  const count = (min: number, max: number) => z.number().int().min(min).max(max);
  const schema = z.strictObject({
    keys: z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)])).optional(),
    logs: z
      .strictObject({ bufferLines: count(100, 1_000_000), tail: count(0, 1_000_000), timestamps: z.boolean() })
      .partial()
      .optional(),
    stats: z
      .strictObject({ windowSeconds: count(10, 3600) })
      .partial()
      .optional(),
    containers: z.strictObject({ showAll: z.boolean() }).partial().optional(),
    // read by the API service (berth system service); checked here so the app accepts the file
    service: z
      .strictObject({ group: z.string().regex(GROUP_NAME, 'expected a group name').nullable() })
      .partial()
      .optional(),
    // the engine's registry settings (engine/registry/settings.ts checks them)
    registry: z.record(z.string(), z.unknown()).optional(),
    hosts: z
      .record(
        z.string().min(1),
        z
          .string()
          .regex(/^(unix|tcp|ssh):\/\/./, 'expected unix://PATH, tcp://HOST[:PORT] or ssh://[USER@]HOST[:PORT]'),
      )
      .optional(),
  });
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const where = issue.path.length ? issue.path.map(String).join('.') : 'top level';
    throw new ConfigError(`${file}: ${where}: ${issue.message}`);
  }
  return r.data as UserConfig;
}

/** Edit distance (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++)
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

/** The command id a typo most likely meant (within two edits). */
function closest(id: string, ids: string[]): string | undefined {
  let best: string | undefined;
  let bestD = 3;
  for (const x of ids) {
    const d = distance(id.toLowerCase(), x.toLowerCase());
    if (d < bestD) [best, bestD] = [x, d];
  }
  return best;
}

/** Merge validated user settings over the defaults (pure). Throws ConfigError for unknown commands, bad key names and clashes. */
export function mergeSettings(user: UserConfig, file: string, base: Settings = DEFAULT_SETTINGS): Settings {
  const ids = new Set(base.bindings.map((b) => b.id));
  const bindings = base.bindings.map((b) => ({ ...b, keys: [...b.keys] }));
  for (const [id, value] of Object.entries(user.keys ?? {})) {
    if (!ids.has(id)) {
      const near = closest(id, [...ids]);
      throw new ConfigError(`${file}: keys.${id}: no such command${near ? ` (did you mean ${near}?)` : ''}`);
    }
    const keys = Array.isArray(value) ? value : [value];
    for (const k of keys)
      if (!isValidKeyName(k))
        throw new ConfigError(
          `${file}: keys.${id}: "${k}" is not a key name (a character, or up, enter, escape, tab, space, ctrl-x ...)`,
        );
    bindings.find((b) => b.id === id)!.keys = [...new Set(keys)];
  }
  // one key, one command per scope
  const seen = new Map<string, string>();
  for (const b of bindings) {
    for (const k of b.keys) {
      const slot = `${b.scope}\0${k}`;
      const other = seen.get(slot);
      if (other)
        throw new ConfigError(`${file}: keys: "${k}" is bound to both ${other} and ${b.id} (${SCOPE_TITLES[b.scope]})`);
      seen.set(slot, b.id);
    }
  }
  return {
    bindings,
    logs: { ...base.logs, ...user.logs },
    stats: { ...base.stats, ...user.stats },
    containers: { ...base.containers, ...user.containers },
    hosts: user.hosts ? Object.entries(user.hosts).map(([name, host]) => ({ name, host })) : base.hosts,
  };
}

/** Read, validate and merge the config file; the defaults when there is none. */
export async function loadSettings(file = configPath()): Promise<Settings> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_SETTINGS;
    throw new ConfigError(`${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return mergeSettings(await validateShape(raw, file), file);
}
