/**
 * The command line's bundle (one CommonJS file, cli/bundle.ts builds it)
 * compiled with V8's code cache. A short command spends most of its time
 * loading code: as ES modules, Node resolves, reads, compiles and links each
 * chunk (some sixty for `berth pull`), and V8 parses each function it runs
 * again at every start. One CommonJS file, compiled from a cache of the
 * bytecode, starts several times faster (bench/pull-push.mjs, the pull of an
 * image already present). Node 20 has no code cache for ES modules: the
 * bundle is compiled here with `vm.Script`'s `cachedData`, as Node compiles
 * a CommonJS module.
 *
 * The build writes the cache next to the bundle (`<bundle>.cache`) after
 * loading every verb once (writeCodeCache), so the cache holds the code of
 * every module's top level. V8 refuses a cache made by another V8 or with
 * other flags, and then compiles from the source; it checks only the
 * source's length, so the cache starts with the size and modification time
 * of the bundle it was made from, and a cache made from another bundle is
 * not used.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import vm from 'node:vm';

export const cacheFile = (bundle: string): string => `${bundle}.cache`;

/** Which bundle a cache belongs to: its size and modification time (ns). */
function identity(bundle: string): string {
  const st = statSync(bundle, { bigint: true });
  return `berth-code-cache ${st.size} ${st.mtimeNs}\n`;
}

/** The cache's bytecode when it was made from this bundle. */
function readCache(bundle: string): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cacheFile(bundle));
  } catch {
    return undefined;
  }
  const header = identity(bundle);
  return data.subarray(0, header.length).toString('latin1') === header ? data.subarray(header.length) : undefined;
}

interface Loaded<T> {
  exports: T;
  script: vm.Script;
}

function compile<T>(bundle: string, cachedData: Buffer | undefined): Loaded<T> {
  // ASCII (the build checks it), so read as one-byte characters: no UTF-8 decoding of some 1.5 MB at every start
  const source = readFileSync(bundle, 'latin1');
  // the wrapper Node gives a CommonJS module, on the first line: line numbers stay the file's
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });
  const module = { exports: {} as T };
  (script.runInThisContext() as (...a: unknown[]) => void)(
    module.exports,
    createRequire(bundle),
    module,
    bundle,
    dirname(bundle),
  );
  return { exports: module.exports, script };
}

function save(bundle: string, script: vm.Script): number {
  const data = Buffer.concat([Buffer.from(identity(bundle), 'latin1'), script.createCachedData()]);
  const tmp = `${cacheFile(bundle)}.${process.pid}`;
  try {
    writeFileSync(tmp, data, { mode: 0o644 });
    renameSync(tmp, cacheFile(bundle));
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return data.length;
}

/**
 * The bundle's exports, compiled from its code cache when there is a good one. Without one (another
 * Node, other V8 flags, a bundle changed by hand), `renew` writes a new one after the command ran,
 * where the directory allows: compiling the bundle without its cache costs more than the rest of a
 * short command.
 */
export function loadBundle<T>(bundle: string): { exports: T; cached: boolean; renew: () => void } {
  const cachedData = readCache(bundle);
  const { exports, script } = compile<T>(bundle, cachedData);
  const cached = !!cachedData && script.cachedDataRejected === false;
  const renew = () => {
    if (cached) return;
    try {
      save(bundle, script);
    } catch {
      /* a directory the user cannot write: the next command compiles from the source too */
    }
  };
  return { exports, cached, renew };
}

/** Load the bundle, let `warm` run its code, and write the cache of what was compiled (the build's step). */
export async function writeCodeCache<T>(bundle: string, warm: (exports: T) => Promise<void>): Promise<number> {
  const { exports, script } = compile<T>(bundle, undefined);
  await warm(exports);
  return save(bundle, script);
}
