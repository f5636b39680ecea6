#!/usr/bin/env node
/**
 * berth: with no arguments the full-screen app, otherwise a docker-style command.
 *
 * A CommonJS file (dist/cli/main.cjs), as is the code-cache loader it requires: a command line never
 * starts Node's ES module loader, about 10 ms of every short command (`berth ps`, a pull of an image
 * present). The app's modules are ES modules, imported when the app opens.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// the launcher handed NODE_EXTRA_CA_CERTS over as BERTH_EXTRA_CA_CERTS, for berth's TLS clients to read
// when they need it (common/extra-ca.ts); the programs berth runs get it back as the user set it
if (process.env.BERTH_EXTRA_CA_CERTS) process.env.NODE_EXTRA_CA_CERTS ??= process.env.BERTH_EXTRA_CA_CERTS;
const argv = process.argv.slice(2);
// the global options (store, host, context) with their values: alone, they open the app
const globalOption = /^(--(root|runroot|host|context)(=.*)?|-[Hc].*)$/;
const onlyGlobals = argv.every(
  (a, i) => globalOption.test(a) || /^(--(root|runroot|host|context)|-H|-c)$/.test(argv[i - 1] ?? ''),
);
/** An ES module of dist, by its path from here. */
const esm = <T,>(path: string): Promise<T> => import(pathToFileURL(join(__dirname, path)).href) as Promise<T>;

async function app(): Promise<void> {
  // React's production build (about a third less to load, faster to render); the
  // bundled app (npm run build makes it) loads several times faster than its modules
  process.env.NODE_ENV ??= 'production';
  // a remote engine over ssh: its first channels open while the app loads (early-link.ts)
  if (argv.some((a) => a.includes('ssh://')) || process.env.DOCKER_HOST?.includes('ssh://'))
    (await esm<typeof import('../client/docker-api/early-link.js')>('../client/docker-api/early-link.js')).startEarly(
      argv,
    );
  const bundle = '../tui/app/start.js';
  const { startApp } = await esm<typeof import('../tui/start.js')>(
    existsSync(join(__dirname, bundle)) ? bundle : '../tui/start.js',
  );
  process.exitCode = await startApp(argv);
}

async function command(): Promise<void> {
  // A closed pipe (`berth events | head`) ends the command quietly, as SIGPIPE
  // ends docker; Node would otherwise crash with an unhandled EPIPE. (The app
  // handles its terminal's errors itself: EIO there is a hangup.)
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(141);
      throw e;
    });
  }
  // only the commands need the command tree; bundled with its code cache (npm run build makes them),
  // it loads in a fraction of the time (code-cache.cts)
  const bundled = join(__dirname, 'bundle', 'cli.cjs');
  type Program = typeof import('./program.js');
  const { exports: program, renew } = existsSync(bundled)
    ? (require('./code-cache.cjs') as typeof import('./code-cache.cjs')).loadBundle<Program>(bundled)
    : { exports: await esm<Program>('./program.js'), renew: () => undefined };
  process.exitCode = await program.runCli(argv);
  renew();
  // The command is over, its work awaited. Once its output is written (nothing left in the streams'
  // buffers; a failed write, `berth images | true`, has had its turn: its handler above exits with 141),
  // leave rather than wait for Node to tear down the heap and join its threads: some milliseconds of a
  // short command (bench/pull-push.mjs, a pull of an image present).
  setImmediate(() => {
    if (!process.stdout.writableLength && !process.stderr.writableLength) process.exit();
  });
}

void (argv.length === 0 || (onlyGlobals && !argv.includes('-h') && !argv.includes('--help')) ? app() : command());
