/**
 * How long a slow client may hold a connection: the first request head, the
 * request head, an idle request body, a hijacked request's body. The defaults
 * suit clients on any link; BERTH_API_SLOW_CLIENT_MS (at least 1000) sets
 * them all to that many milliseconds, for a service that wants stalled
 * clients dropped sooner (the slow-client tests use it to wait seconds, not a
 * minute).
 */
const set = Number(process.env.BERTH_API_SLOW_CLIENT_MS);
const override = Number.isInteger(set) && set >= 1000 ? set : undefined;

export const DEADLINES = {
  /** A new connection's first request head (before the http server sees it: legacy-hijack.ts). */
  firstHeadMs: override ?? 20_000,
  /** A whole request head. */
  headMs: override ?? 20_000,
  /** A request body that sends nothing. */
  bodyIdleMs: override ?? 60_000,
  /** The body of a hijacked request (attach, exec start). */
  hijackBodyMs: override ?? 30_000,
};
