/** How errors reach the user: one line, and docker's exit codes. */
import { isBerthError } from '../client/api.js';

export function errorMessage(e: unknown): string {
  if (isBerthError(e)) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'EPIPE') return 'write error: broken pipe';
  return err?.message ?? String(e);
}
