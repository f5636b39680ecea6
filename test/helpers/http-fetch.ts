/**
 * One HTTP(S) request with node's own client, for tests that talk to the test
 * registries, the token server and the fault proxy by hand: any status is an
 * answer; a connection cut mid-body still answers, with what arrived and
 * `aborted` set.
 */
import http from 'node:http';
import https from 'node:https';

export interface FetchResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** the connection ended before the body was complete */
  aborted: boolean;
}

export interface FetchOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** PEM of a CA to trust for https */
  ca?: string;
}

export function fetchUrl(url: string, o: FetchOptions = {}): Promise<FetchResult> {
  return new Promise((resolve, reject) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.request(
      url,
      { method: o.method ?? 'GET', headers: o.headers ?? {}, agent: false, ...(o.ca ? { ca: o.ca } : {}) },
      (res) => {
        const chunks: Buffer[] = [];
        let aborted = false;
        const finish = () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), aborted });
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('aborted', () => (aborted = true));
        res.on('error', () => {
          aborted = true;
        });
        res.on('close', () => {
          if (!res.complete) aborted = true;
          finish();
        });
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** The Basic Authorization header value. */
export const basicAuth = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Parse a WWW-Authenticate challenge: scheme and its key="value" parameters. */
export function parseChallenge(h: string | undefined): { scheme: string; params: Record<string, string> } | null {
  if (!h) return null;
  const sp = h.indexOf(' ');
  const params: Record<string, string> = {};
  for (const m of h.slice(sp + 1).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!] = m[2]!;
  return { scheme: h.slice(0, sp), params };
}
