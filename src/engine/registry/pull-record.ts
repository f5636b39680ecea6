/**
 * Pull replay records: what lets the native launcher (native/launcher/
 * pull.c) answer a `berth pull [-q] NAME:TAG` line again without Node when
 * the image was here and the registry was asked by the one plain-HTTP HEAD
 * of pull.ts (quick-head.ts: no proxy, no credentials, a plain-HTTP scheme
 * remembered in the runroot). One record per line (the arguments, the
 * working directory left out: a pull does not depend on it), at
 * <root>/pull-records/<FNV-1a 64 of the line>.json, holding
 *
 *   - the line, the root and runroot, the stamp of the code that wrote it
 *     (run plans' stamp), whether stdout and stderr were terminals;
 *   - the files the pull consulted, with their (dev, ino, mode, size,
 *     mtime, ctime) or their absence: the docker config and podman
 *     auth.json (credentials: any change hands over), berth's config
 *     (insecure registries, mirrors); the registry must be named by an
 *     address (the launcher resolves no names);
 *   - the environment variables that choose those files or a proxy, with
 *     their values or their absence (the proxy variables must be absent);
 *   - the file remembering that the registry speaks plain HTTP, and when
 *     that memory expires (http.ts SCHEME_TTL_MS): not used past it;
 *   - the HEAD (host, port, path, tag, Accept) and the digest it answered;
 *     the image, the tag and digest names that must still name it; the
 *     pull event; the exact output.
 *
 * The launcher checks all of it, sends the HEAD, and hands the line to
 * Node at any difference, before it has written anything.
 */
import { readFileSync, rmSync, statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { planStamp } from '../container/run-plan.js';
import { lineHash, saveRecord } from '../build/replay/record.js';
import { SHARED } from '../shared-constants.js';
import type { Store } from '../store/store.js';
import { dockerConfigPath, podmanAuthPath } from './credentials.js';
import { SCHEME_TTL_MS } from './http.js';
import type { PresentPull } from './pull.js';
import { settingsFile } from './settings.js';

export const PULL_RECORD_VERSION = SHARED.pullRecord.version;
const SETTLE_MS = SHARED.buildRecord.settleMs;

/** The variables that choose the files above or a proxy (http.ts proxyFor, credentials.ts, settings.ts). */
const ENV_NAMES = [
  'HOME',
  'DOCKER_CONFIG',
  'REGISTRY_AUTH_FILE',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'BERTH_CERTS_D',
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'NO_PROXY',
  'no_proxy',
];
const PROXY_NAMES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy'];

export interface PullRecordInput {
  /** The arguments after the program's name. */
  argv: string[];
  stdout: string;
  stderr: string;
  stdoutTty: boolean;
  stderrTty: boolean;
}

export const pullRecordsDir = (store: Store) => join(store.layout.root, SHARED.layout.pullRecords);
/** The working directory is "" in the line's hash: a pull does not depend on it. */
export const pullRecordPath = (store: Store, argv: string[]) =>
  join(pullRecordsDir(store), `${lineHash('', argv)}.json`);

/** host and port of host[:port] ([v6]:port too); null when the port is not a number. */
function splitHostPort(hostport: string): { host: string; port: number } | null {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostport);
  if (!m) return null;
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: m[2] ? Number(m[2]) : 80 };
}

type Entry = [string, ...number[]];

/**
 * Write the record for this line, replacing any; null when written, else why not (an older
 * record for the line is removed then).
 */
export function writePullRecord(
  store: Store,
  input: PullRecordInput,
  present: PresentPull & { start: number; schemeFile: string | null },
  env: NodeJS.ProcessEnv = process.env,
): string | null {
  const file = pullRecordPath(store, input.argv);
  const why = ((): string | null | Record<string, unknown> => {
    if (PROXY_NAMES.some((n) => env[n] !== undefined)) return 'a proxy variable is set';
    const stamp = planStamp();
    if (!stamp) return 'this build of berth has no stamp';
    if ((input.stdout + input.stderr).includes('\0')) return 'the output holds a NUL byte';
    const hp = splitHostPort(present.hostport);
    // the launcher connects to an address (it resolves no names: it is linked statically)
    if (!hp || !isIP(hp.host)) return 'the registry is not named by an address';
    if (!present.schemeFile) return 'no scheme is remembered';
    const scheme = statSync(present.schemeFile, { throwIfNoEntry: false });
    if (!scheme?.isFile()) return 'no scheme is remembered';
    const files = [dockerConfigPath(env), podmanAuthPath(env), settingsFile(env)];
    const entries: Entry[] = [];
    for (const f of files) {
      const st = statSync(f, { throwIfNoEntry: false });
      if (!st) {
        entries.push([f]);
        continue;
      }
      if (!st.isFile()) return `${f} is not a plain file`;
      if (st.ctimeMs >= present.start - SETTLE_MS) return `${f} changed just before the pull`;
      entries.push([f, st.dev, st.ino, st.mode, st.size, st.mtimeMs, st.ctimeMs]);
    }
    // a credential helper may answer differently with no file changing
    const cfg = entries[0]!.length > 1 ? readFileSync(files[0]!, 'utf8') : '';
    if (/"(credsStore|credHelpers)"/.test(cfg)) return 'the docker config names a credential helper';
    // the scheme's file is berth's own (rewritten only with a new probe): checked by identity and content
    entries.push([
      present.schemeFile,
      scheme.dev,
      scheme.ino,
      scheme.mode,
      scheme.size,
      scheme.mtimeMs,
      scheme.ctimeMs,
    ]);
    return {
      version: PULL_RECORD_VERSION,
      stamp,
      root: store.layout.root,
      runroot: store.layout.runroot,
      cwd: '',
      argv: input.argv,
      stdoutTty: input.stdoutTty,
      stderrTty: input.stderrTty,
      stdout: input.stdout,
      stderr: input.stderr,
      statCount: entries.length,
      entries,
      env: ENV_NAMES.map((n) => [n, env[n] ?? null]),
      schemeFile: present.schemeFile,
      // http.ts forgets the scheme once its file is older than this: the record is not used past it
      expires: scheme.mtimeMs + SCHEME_TTL_MS,
      host: hp.host,
      port: hp.port,
      path: `/v2/${present.path}/manifests/${present.tag}`,
      hostHeader: present.hostport,
      accept: present.head.accept,
      digest: present.head.digest,
      image: present.image,
      tags: [present.tagName],
      digests: [present.digestName],
      events: [present.event],
    };
  })();
  if (typeof why === 'string' || why === null) {
    rmSync(file, { force: true });
    return why ?? 'no record';
  }
  saveRecord(pullRecordsDir(store), file, why);
  return null;
}
