/**
 * Exec and attach: the app steps aside (terminal.handOver), the container
 * gets the real terminal, and the app comes back as it was when the shell
 * exits or the user detaches.
 *
 * Exec runs the monitor synchronously: while it has the terminal this
 * process reads nothing from it (an asynchronous child would race Node's own
 * reads of the tty for the user's keystrokes). The monitor puts the
 * terminal in raw mode and follows resizes itself.
 */
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';
import type { AttachSession } from '../../client/api.js';
import { pumpSession, type PumpResult } from '../../client/attach-io.js';
import type { Services } from '../hooks/context.js';
import { errorText, say } from './task.js';
import { track } from './work.js';

const signalNumber = (sig: NodeJS.Signals | null) =>
  sig ? ((constants.signals as Record<string, number>)[sig] ?? 0) : 0;

export async function execShell(svc: Services, ref: string, name: string): Promise<void> {
  let shell: string;
  let plan: { program: string; args: string[] };
  try {
    shell = await svc.backend.containerShell(ref);
    plan = await svc.backend.execPlan(ref, { cmd: [shell], tty: true, interactive: true });
  } catch (e) {
    say(svc, errorText(e), 'error');
    return;
  }
  const r = await svc.terminal.handOver(async () => {
    process.stdout.write(`berth: ${shell} in ${name} (exit the shell to return to the app)\r\n`);
    return spawnSync(plan.program, plan.args, { stdio: 'inherit' });
  });
  if (r.error) say(svc, `exec in ${name}: ${errorText(r.error)}`, 'error');
  else {
    const code = r.status ?? 128 + signalNumber(r.signal);
    say(svc, `${shell} in ${name} exited with code ${code}`, code === 0 ? 'info' : 'error');
  }
}

/** Wire a session to the terminal until the container exits or the user detaches (ctrl-p ctrl-q; Ctrl-C without a tty). */
async function pump(
  svc: Services,
  session: AttachSession,
  ref: string,
  tty: boolean,
  stdin: boolean,
  name: string,
): Promise<PumpResult> {
  process.stdout.write(`berth: attached to ${name}; ${tty ? 'ctrl-p ctrl-q detaches' : 'Ctrl-C detaches'}\r\n`);
  // without a tty the terminal turns Ctrl-C into SIGINT: leave the container running and come back
  let detached = false;
  const detach = () => {
    detached = true;
    session.close();
  };
  if (!tty) process.on('SIGINT', detach);
  try {
    // a hangup detaches (the container keeps running, as a dropped docker client leaves it)
    const r = await track(svc, pumpSession(process, session, { tty, stdin, backend: svc.backend, ref }), detach);
    return detached && r.kind === 'lost' ? { kind: 'detached' } : r;
  } finally {
    if (!tty) process.off('SIGINT', detach);
  }
}

function outcome(svc: Services, name: string, r: PumpResult): void {
  if (r.kind === 'detached') say(svc, `detached from ${name}`);
  else if (r.kind === 'lost') say(svc, `lost the connection to ${name}`, 'error');
  else say(svc, `${name} exited with code ${r.exit.exitCode}`, r.exit.exitCode === 0 ? 'info' : 'error');
}

export async function attach(svc: Services, ref: string, name: string): Promise<void> {
  try {
    const info = (await svc.backend.inspectContainer(ref)) as { Config?: { Tty?: boolean; OpenStdin?: boolean } };
    const tty = !!info.Config?.Tty;
    const stdin = !!info.Config?.OpenStdin;
    const r = await svc.terminal.handOver(async () => {
      const session = await svc.backend.attachContainer(ref, { stdin, stdout: true, stderr: true });
      return pump(svc, session, ref, tty, stdin, name);
    });
    outcome(svc, name, r);
  } catch (e) {
    say(svc, errorText(e), 'error');
  }
}

/** Start a created container with its terminal attached (the run dialog without detach). */
export async function startAttached(svc: Services, id: string, name: string): Promise<void> {
  try {
    const r = await svc.terminal.handOver(async () => {
      const { session } = await svc.backend.startContainer(id, { attach: { stdin: true, stdout: true, stderr: true } });
      return pump(svc, session!, id, true, true, name);
    });
    outcome(svc, name, r);
  } catch (e) {
    say(svc, errorText(e), 'error');
  }
}
