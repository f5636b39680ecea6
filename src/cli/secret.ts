/** Reading a line from a terminal without echoing it (login's password prompt), or a line from a pipe. */
import { createInterface } from 'node:readline';
import type { Cli } from './context.js';

export async function readLine(cli: Cli, prompt: string, secret = false): Promise<string> {
  const input = cli.stdin;
  const echo = cli.stderr;
  echo.write(prompt);
  if (secret && input.isTTY) input.setRawMode?.(true);
  try {
    if (secret && input.isTTY) {
      // raw mode: collect until Enter, nothing echoed
      return await new Promise<string>((resolve, reject) => {
        let text = '';
        const onData = (b: Buffer) => {
          for (const ch of b.toString('utf8')) {
            if (ch === '\r' || ch === '\n') {
              input.off('data', onData);
              echo.write('\n');
              resolve(text);
              return;
            }
            if (ch === '\u0003') {
              input.off('data', onData);
              reject(new Error('interrupted'));
              return;
            }
            if (ch === '\u007f') text = text.slice(0, -1);
            else text += ch;
          }
        };
        input.on('data', onData);
        input.resume();
      });
    }
    const rl = createInterface({ input, terminal: false });
    const line = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    rl.close();
    return line;
  } finally {
    if (secret && input.isTTY) {
      input.setRawMode?.(false);
      input.pause();
    }
  }
}

/** All of stdin, without the final line break (login --password-stdin). */
export async function readAllStdin(cli: Cli): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of cli.stdin) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(String(c)));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/[\r\n]+$/, '');
}
