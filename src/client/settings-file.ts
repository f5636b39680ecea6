/**
 * Where berth's settings file is (`$XDG_CONFIG_HOME/berth/config.json`,
 * default `~/.config/berth/config.json`), and the part of it the API service
 * reads: `service.group`, the group given access to the service's socket.
 * The app validates the whole file (tui/keymap/config.ts).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../engine/errors.js';

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'berth', 'config.json');
}

/** A group name as /etc/group has them (or a numeric gid). */
export const GROUP_NAME = /^([a-z_][a-z0-9_-]*\$?|\d+)$/i;

export interface ServiceSettings {
  /** The group whose members may use the service's unix socket; null: only root. */
  group: string | null;
}

/** The `service` section of the settings file (defaults when the file or the section is absent). */
export function readServiceSettings(file = configPath()): ServiceSettings {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { group: null };
    throw new BerthError('INVALID_ARGUMENT', `${file}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new BerthError('INVALID_ARGUMENT', `${file}: not valid JSON: ${(e as Error).message}`);
  }
  const service = (raw as { service?: unknown } | null)?.service;
  if (service === undefined) return { group: null };
  if (!service || typeof service !== 'object' || Array.isArray(service))
    throw new BerthError('INVALID_ARGUMENT', `${file}: service: expected an object`);
  for (const k of Object.keys(service))
    if (k !== 'group')
      throw new BerthError('INVALID_ARGUMENT', `${file}: service.${k}: no such setting (service takes group)`);
  const group = (service as { group?: unknown }).group;
  if (group === undefined || group === null) return { group: null };
  if (typeof group !== 'string' || !GROUP_NAME.test(group))
    throw new BerthError('INVALID_ARGUMENT', `${file}: service.group: expected a group name`);
  return { group };
}
