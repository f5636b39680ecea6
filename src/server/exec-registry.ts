/**
 * Exec instances between `POST /containers/{id}/exec` and their end, as
 * dockerd keeps them: in memory, with the process, its exit code and its
 * terminal-size file. Finished instances are forgotten after a while.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

export interface ExecConfig {
  cmd: string[];
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  env: string[];
  user: string;
  workdir: string;
  privileged: boolean;
  detachKeys: string;
  consoleSize: [number, number] | null;
}

export interface ExecInstance {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  started: boolean;
  exitCode: number | null;
  pid: number;
  process: ChildProcess | null;
  /** "ROWS COLS" for the exec's pty (see berth-monitor exec --winsize-file). */
  winsizeFile: string | null;
  finishedAt: number;
}

/** How long a finished exec can still be inspected. */
const KEEP_MS = 10 * 60 * 1000;
const MAX_KEPT = 10_000;

export class ExecRegistry {
  private readonly byId = new Map<string, ExecInstance>();

  create(containerId: string, config: ExecConfig): ExecInstance {
    this.sweep();
    const inst: ExecInstance = {
      id: randomBytes(32).toString('hex'),
      containerId,
      config,
      running: false,
      started: false,
      exitCode: null,
      pid: 0,
      process: null,
      winsizeFile: null,
      finishedAt: 0,
    };
    this.byId.set(inst.id, inst);
    return inst;
  }

  /** By full ID or unique prefix. */
  get(ref: string): ExecInstance | null {
    const hit = this.byId.get(ref);
    if (hit) return hit;
    if (ref.length < 1) return null;
    const found = [...this.byId.values()].filter((e) => e.id.startsWith(ref));
    return found.length === 1 ? found[0]! : null;
  }

  ofContainer(containerId: string): ExecInstance[] {
    return [...this.byId.values()].filter((e) => e.containerId === containerId);
  }

  finished(inst: ExecInstance, exitCode: number): void {
    inst.running = false;
    inst.exitCode = exitCode;
    inst.process = null;
    inst.finishedAt = Date.now();
    if (inst.winsizeFile) rmSync(inst.winsizeFile, { force: true });
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, e] of this.byId) {
      if (!e.running && ((e.finishedAt && now - e.finishedAt > KEEP_MS) || this.byId.size > MAX_KEPT))
        this.byId.delete(id);
    }
  }
}
