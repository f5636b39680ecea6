/**
 * docker-credential-* helpers: `get`, `store` and `erase` as their
 * protocol says, the server URL or a JSON document on stdin and the answer
 * on stdout. The secret is written to the helper's stdin only; nothing about
 * it goes into argv or into an error message.
 */
import { spawn } from 'node:child_process';
import { BerthError } from '../errors.js';
import type { Credentials } from './credentials.js';

const NOT_FOUND = /credentials not found/i;

function run(helper: string, action: string, input: string): Promise<{ code: number; out: string }> {
  const program = `docker-credential-${helper}`;
  return new Promise((resolve, reject) => {
    let child;
    try {
      child = spawn(program, [action], { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      reject(e);
      return;
    }
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => out.push(c));
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(
        new BerthError(
          'NOT_FOUND',
          e.code === 'ENOENT'
            ? `error getting credentials - err: exec: "${program}": executable file not found in $PATH, out: \`\``
            : `error running ${program}: ${e.message}`,
        ),
      ),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, out: Buffer.concat(out).toString('utf8').trim() }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/** The helper's answer in one line, without anything the request carried. */
const says = (out: string) => out.split('\n')[0]!.slice(0, 200);

export async function helperGet(helper: string, server: string): Promise<Credentials | null> {
  const r = await run(helper, 'get', server);
  if (r.code !== 0) {
    if (NOT_FOUND.test(r.out)) return null;
    throw new BerthError('RUNTIME', `error getting credentials - docker-credential-${helper} get: ${says(r.out)}`);
  }
  let doc: { Username?: string; Secret?: string };
  try {
    doc = JSON.parse(r.out) as { Username?: string; Secret?: string };
  } catch {
    throw new BerthError('RUNTIME', `error getting credentials - docker-credential-${helper} get: not a JSON answer`);
  }
  if (!doc.Secret) return null;
  return { username: doc.Username ?? '', secret: doc.Secret };
}

export async function helperStore(helper: string, server: string, c: Credentials): Promise<void> {
  const r = await run(helper, 'store', JSON.stringify({ ServerURL: server, Username: c.username, Secret: c.secret }));
  if (r.code !== 0) {
    throw new BerthError('RUNTIME', `error storing credentials - docker-credential-${helper} store: ${says(r.out)}`);
  }
}

export async function helperErase(helper: string, server: string): Promise<boolean> {
  const r = await run(helper, 'erase', server);
  if (r.code !== 0) {
    if (NOT_FOUND.test(r.out)) return false;
    throw new BerthError('RUNTIME', `error erasing credentials - docker-credential-${helper} erase: ${says(r.out)}`);
  }
  return true;
}
