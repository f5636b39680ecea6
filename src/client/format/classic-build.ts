/**
 * A remote engine's build as the classic builder streams it (what the docker
 * CLI shows with DOCKER_BUILDKIT=0): the context upload ("Sending build
 * context to Docker daemon  2.048kB"), `stream` text ("Step 1/5 : FROM ...",
 * " ---> 6aa4265b18c5", a RUN's output, "Successfully built ..."), and
 * `status` lines of a base image's pull. One model gives the CLI the text to
 * write (docker writes it all on stdout) and the app the rows of its build
 * view (each step with its time, the running step's last lines). Pure.
 */
import type { ProgressMessage } from '../types/streams.js';
import { humanSize } from './humanize.js';
import type { ProgressRow } from './build-progress.js';

/** The id of the progress messages the remote backend adds while it sends the context. */
export const CONTEXT_UPLOAD_ID = 'berth.build.context';

const UPLOAD = 'Sending build context to Docker daemon';
/** docker's "Step 1/5 : FROM ...", podman's "STEP 1/5: FROM ...". */
const STEP = /^(?:Step|STEP) (\d+)\/(\d+) ?: (.*)$/;
/** The classic builder's own bookkeeping lines: not a step's output. */
const QUIET = /^( ---> |--> |Removing intermediate container |Successfully built |Successfully tagged |COMMIT )/;
const MAX_LOGS = 200;
const secs = (ms: number) => (Math.max(ms, 0) / 1000).toFixed(1) + 's';

interface StepView {
  title: string;
  started: number;
  completed?: number;
  cached: boolean;
  logs: string[];
}

export const isClassic = (m: ProgressMessage): boolean =>
  m.id === CONTEXT_UPLOAD_ID || m.stream !== undefined || (m.status !== undefined && m.id !== 'moby.buildkit.trace');

export class ClassicBuild {
  readonly started = Date.now();
  readonly steps: StepView[] = [];
  /** Bytes of the context sent; done once the whole context is. */
  upload = { bytes: 0, done: false, started: 0, completed: 0 };
  total = 0;
  failed = false;
  private partial = '';

  /** Apply one message; the text the CLI writes for it (`tty`: the upload line redrawn in place). */
  apply(m: ProgressMessage, tty = false): string {
    if (m.id === CONTEXT_UPLOAD_ID) {
      const now = Date.now();
      this.upload.started ||= now;
      this.upload.bytes = m.progressDetail?.current ?? this.upload.bytes;
      const done = m.progressDetail?.total !== undefined;
      if (done) {
        this.upload.done = true;
        this.upload.completed = now;
      }
      const line = `${UPLOAD}  ${humanSize(this.upload.bytes, 4)}`;
      // the docker CLI's bytes: its progress line ends "\r\r\n"
      if (done) return `${tty ? '\r' : ''}${line}\r\r\n`;
      return tty ? `\r${line}` : '';
    }
    if (m.stream !== undefined) {
      this.text(m.stream);
      return m.stream;
    }
    if (m.status !== undefined) {
      // a pull's bar is redrawn in place by the docker CLI on a terminal; its status lines are what is kept
      if (m.progressDetail?.current !== undefined) return '';
      return `${m.id ? `${m.id}: ` : ''}${m.status}\n`;
    }
    return '';
  }

  private text(s: string): void {
    const parts = (this.partial + s).split('\n');
    this.partial = parts.pop()!;
    for (const l of parts) this.line(l.replace(/\r$/, ''));
  }

  private line(l: string): void {
    const now = Date.now();
    const step = STEP.exec(l);
    const cur = this.steps[this.steps.length - 1];
    if (step) {
      if (cur && cur.completed === undefined) cur.completed = now;
      this.total = Number(step[2]);
      this.steps.push({ title: `Step ${step[1]}/${step[2]} : ${step[3]}`, started: now, cached: false, logs: [] });
      return;
    }
    if (/^ ?-+> Using cache\b/.test(l) && cur) cur.cached = true;
    if (/^Successfully built /.test(l) && cur && cur.completed === undefined) cur.completed = now;
    if (QUIET.test(l) || !cur) return;
    cur.logs.push(l);
    if (cur.logs.length > MAX_LOGS) cur.logs.splice(0, cur.logs.length - MAX_LOGS);
  }

  /** The build view's header: `[+] Building 1.2s (2/5)`. */
  header(now: number, finished = false): string {
    const done = this.steps.filter((s) => s.completed !== undefined).length;
    return `[+] Building ${secs(now - this.started)} (${done}/${this.total || this.steps.length})${finished ? ' FINISHED' : ''}`;
  }

  /** The build view's rows: the upload, each step with its time, the running (or failed) step's last lines. */
  rows(now: number, logLines = 6): ProgressRow[] {
    const out: ProgressRow[] = [];
    if (this.upload.started) {
      out.push({
        text: `=> sending context ${humanSize(this.upload.bytes, 4)}`,
        time: secs((this.upload.completed || now) - this.upload.started),
        kind: this.upload.done ? 'done' : 'running',
      });
    }
    this.steps.forEach((s, i) => {
      const last = i === this.steps.length - 1;
      const failed = last && this.failed;
      out.push({
        text: `=> ${failed ? 'ERROR ' : s.cached ? 'CACHED ' : ''}${s.title}`,
        time: secs((s.completed ?? now) - s.started),
        kind: failed ? 'error' : s.cached ? 'cached' : s.completed === undefined ? 'running' : 'done',
      });
      if (last && (s.completed === undefined || failed)) {
        const tail = [...s.logs, ...(this.partial ? [this.partial] : [])].slice(-logLines);
        for (const l of tail) out.push({ text: `=> => # ${l}`, time: '', kind: 'log' });
      }
    });
    return out;
  }
}
