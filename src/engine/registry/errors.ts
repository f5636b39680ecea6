/**
 * Registry answers as docker words them: the distribution API's JSON errors
 * (`{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}`
 * reads "manifest unknown: manifest unknown"), token servers' `details`, and
 * docker's sentences around them (moby distribution/errors.go).
 */
import { BerthError, type ErrorCode } from '../errors.js';

export interface RegistryErrorItem {
  code: string;
  message: string;
}

/** Text a registry sent, for a one-line message: control characters (terminal sequences among them) become "?". */
export function printable(s: string, max = 500): string {
  return s.replace(/[\x00-\x1f\x7f-\x9f]/g, '?').slice(0, max);
}

/** The errors in a registry's JSON body (empty when it has none). */
export function parseErrors(body: string): RegistryErrorItem[] {
  try {
    const doc = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown }[]; details?: unknown };
    if (Array.isArray(doc.errors)) {
      return doc.errors.map((e) => ({
        code: typeof e.code === 'string' ? printable(e.code, 64) : 'UNKNOWN',
        message: typeof e.message === 'string' ? printable(e.message) : '',
      }));
    }
    if (typeof doc.details === 'string') return [{ code: 'UNAUTHORIZED', message: printable(doc.details) }];
  } catch {
    /* not JSON */
  }
  return [];
}

/** errcode's Error(): the code in words, then the message. */
export function describe(e: RegistryErrorItem): string {
  const words = e.code.toLowerCase().replace(/_/g, ' ');
  return e.message ? `${words}: ${e.message}` : words;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  416: 'Requested Range Not Satisfiable',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function statusText(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? ''}`.trim();
}

function codeFor(status: number): ErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'PERMISSION_DENIED';
  if (status === 404) return 'NOT_FOUND';
  return 'IO';
}

/**
 * A failed registry response as one line. `what` tells what was asked for
 * (a manifest of a reference, a repository, a blob) for docker's sentences.
 */
export function responseError(
  status: number,
  body: string,
  what: { kind: 'manifest' | 'blob' | 'other'; ref?: string; repo?: string } = { kind: 'other' },
): BerthError {
  // distribution's client reads the error body of 4xx answers only (HandleErrorResponse)
  if (status >= 500) return new BerthError('IO', `received unexpected HTTP status: ${statusText(status)}`);
  const items = parseErrors(body);
  const first = items[0];
  const text = items.length ? items.map(describe).join(', ') : '';
  if (status === 404 && what.kind === 'manifest') {
    if (first?.code === 'NAME_UNKNOWN') {
      return new BerthError('NOT_FOUND', `repository ${what.repo} not found: ${describe(first)}`);
    }
    const cause = first ? describe(first) : 'manifest unknown: manifest unknown';
    return new BerthError('NOT_FOUND', `manifest for ${what.ref} not found: ${cause}`);
  }
  if ((status === 401 || status === 403 || first?.code === 'DENIED') && what.kind === 'manifest') {
    if (first?.code === 'DENIED' || status === 403) {
      return new BerthError(
        status === 401 ? 'UNAUTHORIZED' : 'PERMISSION_DENIED',
        `pull access denied for ${what.repo}, repository does not exist or may require 'docker login': ${first ? describe(first) : 'denied: requested access to the resource is denied'}`,
      );
    }
  }
  if (text) return new BerthError(codeFor(status), text);
  if (status === 401) return new BerthError('UNAUTHORIZED', 'unauthorized: authentication required');
  if (status === 429) return new BerthError('IO', 'toomanyrequests: too many requests');
  return new BerthError(codeFor(status), `received unexpected HTTP status: ${statusText(status)}`);
}
