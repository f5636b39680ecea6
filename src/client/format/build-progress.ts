/**
 * Build progress as buildx shows it, from the solve status the backend
 * streams: vertexes numbered in the order they appear (`#5`), their
 * statuses and output, and the two displays: plain lines (`--progress
 * plain`) produced as things happen, and the terminal frame (`[+] Building
 * 1.2s (5/9)`, one line per step with its time, the running step's last
 * lines of output). Pure: the CLI writes the lines, the app draws the frame.
 */
import type { SolveStatus } from '../api.js';

export interface VertexView {
  num: number;
  digest: string;
  name: string;
  /** ms since the epoch. */
  started?: number;
  completed?: number;
  cached: boolean;
  error?: string;
  statuses: { id: string; name: string; started?: number; completed?: number }[];
  /** Output lines (bounded). */
  logs: { time: number; line: string }[];
  partial: string;
  headerPrinted: boolean;
}

const MAX_LOGS = 200;
const t = (s: string | undefined) => (s ? Date.parse(s) : undefined);
const secs = (ms: number) => (Math.max(ms, 0) / 1000).toFixed(1) + 's';

export class BuildProgress {
  readonly vertexes: VertexView[] = [];
  readonly warnings: string[] = [];
  readonly started = Date.now();
  private readonly byDigest = new Map<string, VertexView>();
  private lastPlain: VertexView | null = null;

  private vertex(digest: string, name?: string): VertexView {
    let v = this.byDigest.get(digest);
    if (!v) {
      v = {
        num: this.vertexes.length + 1,
        digest,
        name: name ?? '',
        cached: false,
        statuses: [],
        logs: [],
        partial: '',
        headerPrinted: false,
      };
      this.byDigest.set(digest, v);
      this.vertexes.push(v);
    }
    return v;
  }

  /** Apply one status update; returns the plain lines it adds (`--progress plain`). */
  apply(s: SolveStatus): string[] {
    const out: string[] = [];
    const line = (v: VertexView, text: string) => {
      if (this.lastPlain !== v) {
        if (this.lastPlain) out.push('');
        if (!v.headerPrinted) {
          out.push(`#${v.num} ${v.name}`);
          v.headerPrinted = true;
        }
        this.lastPlain = v;
      }
      if (text) out.push(`#${v.num} ${text}`);
    };
    for (const x of s.vertexes ?? []) {
      const v = this.vertex(x.digest, x.name);
      v.name = x.name || v.name;
      const wasDone = v.completed !== undefined;
      v.started = t(x.started) ?? v.started;
      if (x.completed) v.completed = t(x.completed);
      if (x.cached) v.cached = true;
      if (x.error) v.error = x.error;
      if (!wasDone && v.started !== undefined && v.completed === undefined) line(v, '');
      if (!wasDone && v.completed !== undefined) {
        if (v.partial) {
          line(v, `${secs(Date.now() - (v.started ?? Date.now())).slice(0, -1)} ${v.partial}`);
          v.logs.push({ time: Date.now(), line: v.partial });
          v.partial = '';
        }
        if (v.error) line(v, v.error === 'context canceled' ? 'CANCELED' : `ERROR: ${v.error}`);
        else if (v.cached) line(v, 'CACHED');
        else line(v, `DONE ${secs(v.completed - (v.started ?? v.completed))}`);
      }
    }
    for (const x of s.statuses ?? []) {
      const v = this.vertex(x.vertex);
      let st = v.statuses.find((y) => y.id === x.id);
      if (!st) {
        st = { id: x.id, name: x.name ?? x.id };
        v.statuses.push(st);
      }
      st.name = x.name ?? st.name;
      st.started = t(x.started) ?? st.started;
      const wasDone = st.completed !== undefined;
      if (x.completed) st.completed = t(x.completed);
      if (!wasDone && st.completed !== undefined) {
        const d = st.completed - (st.started ?? st.completed);
        line(v, `${st.name}${d >= 50 ? ' ' + secs(d) : ''} done`);
      }
    }
    for (const x of s.logs ?? []) {
      const v = this.vertex(x.vertex);
      const time = t(x.timestamp) ?? Date.now();
      const parts = (v.partial + x.data).split('\n');
      v.partial = parts.pop()!;
      for (const p of parts) {
        v.logs.push({ time, line: p });
        line(v, `${((time - (v.started ?? time)) / 1000).toFixed(3)} ${p}`);
      }
      if (v.logs.length > MAX_LOGS) v.logs.splice(0, v.logs.length - MAX_LOGS);
    }
    for (const w of s.warnings ?? []) this.warnings.push(w.short);
    return out;
  }

  get done(): number {
    return this.vertexes.filter((v) => v.completed !== undefined).length;
  }

  /** The header of the terminal display: `[+] Building 1.2s (5/9)`. */
  header(now: number, finished = false): string {
    return `[+] Building ${secs(now - this.started)} (${this.done}/${this.vertexes.length})${finished ? ' FINISHED' : ''}`;
  }

  /**
   * The rows of the terminal display under the header at `now`: each step
   * started with its time, its statuses, and the last `logLines` lines of
   * output of a running or failed step.
   */
  rows(now: number, logLines = 6): ProgressRow[] {
    const out: ProgressRow[] = [];
    for (const v of this.vertexes) {
      if (v.started === undefined) continue;
      const end = v.completed ?? now;
      const state = v.error ? (v.error === 'context canceled' ? 'canceled' : 'error') : v.cached ? 'cached' : undefined;
      const prefix =
        state === 'canceled' ? 'CANCELED ' : state === 'error' ? 'ERROR ' : state === 'cached' ? 'CACHED ' : '';
      out.push({
        text: `=> ${prefix}${v.name}`,
        time: secs(end - v.started),
        kind: state ?? (v.completed === undefined ? 'running' : 'done'),
      });
      for (const s of v.statuses) {
        const d = (s.completed ?? now) - (s.started ?? v.started);
        out.push({ text: `=> => ${s.name}`, time: secs(d), kind: 'status' });
      }
      if (v.completed === undefined || v.error) {
        const tail = [...v.logs.map((l) => l.line), ...(v.partial ? [v.partial] : [])].slice(-logLines);
        for (const l of tail) out.push({ text: `=> => # ${l}`, time: '', kind: 'log' });
      }
    }
    return out;
  }

  /** The terminal frame (buildx's tty display) at `now`, `width` columns wide. */
  frame(now: number, width: number, finished = false, logLines = 6): string[] {
    const row = (text: string, time: string) => {
      const room = Math.max(width - time.length - 1, 10);
      const shown = text.length > room ? text.slice(0, room - 1) + '…' : text;
      return shown + ' '.repeat(Math.max(width - shown.length - time.length, 1)) + time;
    };
    return [
      this.header(now, finished),
      ...this.rows(now, logLines).map((r) => (r.time ? row(` ${r.text}`, r.time) : row(` ${r.text}`, '').trimEnd())),
    ];
  }
}

/** A row of the terminal display: the text, its time (right-aligned), what it shows. */
export interface ProgressRow {
  text: string;
  time: string;
  kind: 'running' | 'done' | 'cached' | 'error' | 'canceled' | 'status' | 'log';
}

export interface ErrorSourceView {
  name: string;
  lines: string[];
  start: number;
  end: number;
}

/**
 * docker's error display of a failed build: the failed step's last output,
 * the Dockerfile lines it points at, and `ERROR: failed to solve: ...`.
 */
export function formatBuildError(e: {
  message: string;
  source?: ErrorSourceView | null;
  vertex?: string | null;
  logs?: string[];
  /** The solver's error (a step, the Dockerfile) rather than the context's. */
  solve: boolean;
}): string[] {
  const out: string[] = [];
  if (e.vertex) {
    out.push('------', ` > ${e.vertex}:`, ...(e.logs ?? []), '------');
  }
  const src = e.source;
  if (src && src.lines.length) {
    out.push(src.start === src.end ? `${src.name}:${src.start}` : `${src.name}:${src.start}-${src.end}`);
    out.push('--------------------');
    const from = Math.max(1, src.start - 2);
    const to = Math.min(src.lines.length, src.end + 1, from + 12);
    const width = String(to).length + 3;
    for (let n = from; n <= to; n++) {
      const mark = n >= src.start && n <= src.end ? '>>>' : '   ';
      out.push(`${String(n).padStart(width)} | ${mark} ${src.lines[n - 1] ?? ''}`.trimEnd());
    }
    out.push('--------------------');
  }
  out.push(e.solve ? `ERROR: failed to solve: ${e.message}` : `ERROR: ${e.message}`);
  return out;
}
