/** The shape of one CLI verb (one file per verb in commands/). */
import type { Command } from 'commander';
import { parseFilterArgs } from '../client/filters.js';
import { UsageError, type Cli } from './context.js';

export type Opts = Record<string, unknown>;

export interface Verb {
  /** Where the verb is reachable: e.g. [['images'], ['image', 'ls'], ['image', 'list']]. */
  paths: string[][];
  summary: string;
  /** Declare arguments and options on the commander command. */
  configure(cmd: Command): void;
  /** Do the work; returns the exit status (0 when omitted). */
  run(cli: Cli, args: string[], opts: Opts): Promise<number | void>;
}

/** Collect a repeatable option (-e A -e B) into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export const str = (o: Opts, k: string): string | undefined =>
  typeof o[k] === 'string' ? (o[k] as string) : undefined;
export const list = (o: Opts, k: string): string[] => (Array.isArray(o[k]) ? (o[k] as string[]) : []);
export const bool = (o: Opts, k: string): boolean => o[k] === true;

/** The values of a repeatable filter flag; a value without "=" is a usage error, as in docker (exit 125). */
export function filterFlag(o: Opts, key: string, flag: string): Map<string, string[]> {
  const values = list(o, key);
  const bad = values.find((v) => v.indexOf('=') <= 0);
  if (bad !== undefined)
    throw new UsageError(`invalid argument "${bad}" for "${flag}" flag: bad format of filter (expected name=value)`);
  return parseFilterArgs(values);
}
