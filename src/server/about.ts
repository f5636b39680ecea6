/** berth's own version and the headers every API response carries. */
import { createRequire } from 'node:module';
import { MAX_API_VERSION } from './version.js';

let cached: string | null = null;

/** The package version (package.json sits two levels above dist/server and src/server). */
export function berthVersion(): string {
  cached ??= (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  return cached;
}

export function commonHeaders(): Record<string, string> {
  return {
    'Api-Version': MAX_API_VERSION,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `berth/${berthVersion()} (linux)`,
  };
}
