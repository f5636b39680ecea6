#!/usr/bin/env node
/** berth: with no arguments the full-screen app, otherwise a docker-style command. */
import { runCli } from './program.js';

// A closed pipe (`berth events | head`) ends the command quietly, as SIGPIPE
// ends docker; Node would otherwise crash with an unhandled EPIPE.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(141);
    throw e;
  });
}

const argv = process.argv.slice(2);
const onlyGlobals = argv.every((a, i) => a.startsWith('--root') || a.startsWith('--runroot') || /^--(root|runroot)$/.test(argv[i - 1] ?? ''));
if (argv.length === 0 || (onlyGlobals && !argv.includes('-h') && !argv.includes('--help'))) {
  const { startApp } = await import('../tui/start.js');
  process.exitCode = await startApp(argv);
} else {
  process.exitCode = await runCli(argv);
}
