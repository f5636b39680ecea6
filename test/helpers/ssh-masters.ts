/** The ssh masters (ssh's ControlMaster, in the background) whose control socket is under a directory. */
import { readdirSync, readFileSync } from 'node:fs';

export function mastersUnder(dir: string): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(`${dir}/`) && cmd.includes('[mux]')) out.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** End the masters berth kept under `dir` (a test's XDG_RUNTIME_DIR): they would stay 10 minutes. */
export function killKeptMasters(dir: string): void {
  for (const pid of mastersUnder(dir)) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
}
