/**
 * The route table: method and path pattern to a handler. A handful of
 * patterns and one regular expression each; dockerd's `{name:.*}` (image
 * and volume names with slashes) is written `:name*`. Pure.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Backend } from '../client/api.js';
import type { Hijacker } from './hijack.js';
import type { ServiceState } from './state.js';

/** What every handler gets. */
export interface Ctx {
  req: IncomingMessage;
  /** Path parameters, decoded. */
  params: Record<string, string>;
  query: URLSearchParams;
  /** The API version of this request (from the path, else the newest). */
  version: string;
  backend: Backend;
  state: ServiceState;
  /** Fires when the client goes away (streams stop then). */
  signal: AbortSignal;
}

export type Handler = (ctx: Ctx, res: ServerResponse) => Promise<void>;
/** A handler that takes over the connection (attach, exec start). */
export type HijackHandler = (ctx: Ctx, h: Hijacker) => Promise<void>;

export interface Route {
  method: string;
  pattern: string;
  handler?: Handler;
  hijack?: HijackHandler;
}

interface Compiled extends Route {
  re: RegExp;
  keys: string[];
}

function compile(r: Route): Compiled {
  const keys: string[] = [];
  const src = r.pattern
    .split('/')
    .map((part) => {
      const m = /^:(\w+)(\*)?$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      keys.push(m[1]!);
      return m[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...r, re: new RegExp(`^${src}$`), keys };
}

export class Router {
  private readonly routes: Compiled[];

  constructor(routes: Route[]) {
    this.routes = routes.map(compile);
  }

  /**
   * The route for a method and path (without the version prefix), with its
   * parameters; `allowed` lists the methods the path takes when none matched.
   */
  match(
    method: string,
    path: string,
  ): { route: Route; params: Record<string, string> } | { route: null; allowed: string[] } {
    const allowed: string[] = [];
    const m = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    for (const want of m) {
      for (const r of this.routes) {
        const hit = r.re.exec(path);
        if (!hit) continue;
        if (r.method !== want) {
          allowed.push(r.method);
          continue;
        }
        const params: Record<string, string> = {};
        r.keys.forEach((k, i) => (params[k] = hit[i + 1]!));
        return { route: r, params };
      }
    }
    return { route: null, allowed };
  }
}
