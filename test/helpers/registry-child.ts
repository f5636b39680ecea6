/**
 * Run by registry-testbed-tools.test.ts in a process of its own (vite-node):
 * start a test registry and print its url, data directory and this process's
 * pid as one JSON line; then `exit` (without stop(): the exit hook must clean
 * up) or `hang` (until killed: the registry must die with this process).
 */
import { startRegistry } from './registry.js';

const reg = await startRegistry();
process.stdout.write(JSON.stringify({ url: reg.url, dataDir: reg.dataDir, pid: process.pid }) + '\n');
if (process.argv[2] === 'hang') setInterval(() => undefined, 1000);
else process.exit(0);
