/**
 * Starting a container for the API: attach requests waiting for it get
 * their session from the start itself (all output from the first byte);
 * an --rm container whose session this service holds is removed here when
 * it exits (the monitor runs its exit command instead when that session
 * ends first).
 */
import type { AttachSession } from '../client/api.js';
import type { Ctx } from './router.js';

/** Start; false when it was running already (dockerd's 304). */
export async function startContainer(ctx: Ctx, ref: string): Promise<boolean> {
  const { backend, state } = ctx;
  const doc = await backend.inspectContainer(ref);
  const id = String(doc.Id);
  const autoRemove = !!(doc.HostConfig as { AutoRemove?: boolean }).AutoRemove;
  const pending = state.attaches.take(id);
  if (!pending.length) {
    try {
      const r = await backend.startContainer(id);
      return !r.alreadyRunning;
    } catch (e) {
      await removeAfterFailedStart(ctx, id, autoRemove);
      throw e;
    }
  }
  const want = {
    stdin: pending.some((p) => p.want.stdin),
    stdout: pending.some((p) => p.want.stdout),
    stderr: pending.some((p) => p.want.stderr),
  };
  let r: Awaited<ReturnType<typeof backend.startContainer>>;
  try {
    r = await backend.startContainer(id, { attach: { ...want, cleanup: autoRemove, event: true } });
  } catch (e) {
    // the attach requests wait on: a later start may still serve them
    for (const p of pending) state.attaches.add(id, p);
    await removeAfterFailedStart(ctx, id, autoRemove);
    throw e;
  }
  const session = r.session;
  if (session) {
    if (autoRemove && !r.alreadyRunning) removeAtExit(ctx, id, session);
    pending[0]!.deliver(session);
  }
  for (const p of pending.slice(session ? 1 : 0)) {
    backend.attachContainer(id, p.want).then(
      (s) => p.deliver(s),
      () => undefined,
    );
  }
  return !r.alreadyRunning;
}

/** This service holds the exit of an --rm container: remove it once the exit is in. */
function removeAtExit(ctx: Ctx, id: string, session: AttachSession): void {
  session.exited.then(async (exit) => {
    if (!exit) return; // the session ended first: the monitor runs its exit command
    const release = ctx.state.hold();
    try {
      await ctx.backend.cleanupContainer(id);
    } catch {
      /* already removed by someone else */
    } finally {
      release();
    }
  });
}

/** dockerd removes an --rm container whose start failed (nothing else would). */
async function removeAfterFailedStart(ctx: Ctx, id: string, autoRemove: boolean): Promise<void> {
  if (!autoRemove) return;
  await ctx.backend.removeContainer(id, { force: true, volumes: true }).catch(() => undefined);
}
