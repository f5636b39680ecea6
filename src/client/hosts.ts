/**
 * The hosts one app session can switch between: the engine it was started
 * on first, then the embedded engine, every docker context with a docker
 * endpoint (~/.docker/contexts, as `docker context ls` lists them), then the
 * hosts named in berth's config file (`hosts`: name → -H address). An entry
 * that names the same engine as one before it is left out.
 */
import { listContexts } from './docker-api/contexts.js';
import type { BackendChoice } from './open.js';

export interface HostEntry {
  /** What the hosts list and the header call it. */
  name: string;
  /** Where it is: `embedded`, or the -H address. */
  address: string;
  choice: BackendChoice;
}

export const EMBEDDED_NAME = 'local';

/** The entry for the engine the app was started on (from its -H, --context, or what the environment chose). */
export function startEntry(
  args: BackendChoice,
  info: { endpoint?: string | undefined; context?: string | undefined },
): HostEntry {
  if (!info.endpoint) return { name: EMBEDDED_NAME, address: 'embedded', choice: { ...args, local: true } };
  if (info.context) return { name: info.context, address: info.endpoint, choice: { context: info.context } };
  return { name: args.host ?? info.endpoint, address: info.endpoint, choice: { host: info.endpoint } };
}

export function hostEntries(
  start: HostEntry,
  configured: readonly { name: string; host: string }[],
  dockerConfigDir?: string,
): HostEntry[] {
  const out: HostEntry[] = [start];
  const add = (e: HostEntry) => {
    if (out.some((o) => o.name === e.name || (o.address === e.address && e.address !== 'embedded'))) return;
    if (e.address === 'embedded' && out.some((o) => o.address === 'embedded')) return;
    out.push(e);
  };
  add({ name: EMBEDDED_NAME, address: 'embedded', choice: { local: true } });
  let contexts: ReturnType<typeof listContexts> = [];
  try {
    contexts = dockerConfigDir ? listContexts(dockerConfigDir) : listContexts();
  } catch {
    // an unreadable context store leaves the contexts out; `--context NAME` says why
  }
  for (const c of contexts) add({ name: c.name, address: c.host, choice: { context: c.name } });
  for (const h of configured) add({ name: h.name, address: h.host, choice: { host: h.host } });
  return out;
}
