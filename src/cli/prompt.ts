/** docker's "Are you sure you want to continue? [y/N]" prompt. */
import { createInterface } from 'node:readline';
import type { Cli } from './context.js';

export async function confirm(cli: Cli, warning: string): Promise<boolean> {
  cli.stdout.write(`${warning}\nAre you sure you want to continue? [y/N] `);
  const rl = createInterface({ input: cli.stdin, terminal: false });
  const answer = await new Promise<string>((resolve) => {
    let done = false;
    rl.once('line', (l) => {
      done = true;
      resolve(l);
    });
    rl.once('close', () => {
      if (!done) resolve('');
    });
  });
  rl.close();
  if (!/^\s*y(es)?\s*$/i.test(answer)) {
    if (!cli.stdin.isTTY) cli.out('');
    return false;
  }
  return true;
}
