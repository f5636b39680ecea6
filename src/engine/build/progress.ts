/**
 * Build progress as one typed stream: docker's JSON messages (the shape the
 * Engine API streams and the registry's pull and push progress use), whose
 * `aux` carries BuildKit's solve status (vertexes with their start, end,
 * cached and error; statuses such as "transferring context"; the running
 * step's output; warnings) under the id `moby.buildkit.trace`, as docker's
 * API does, and at the end the image ID. The CLI draws it as buildx does;
 * the app as a panel; an API server can pass it on.
 */
import type { ProgressMessage } from '../types.js';
import type { BuildDepends } from './replay/depends.js';

export type { ProgressMessage };

export interface Vertex {
  digest: string;
  name: string;
  /** RFC3339Nano. */
  started?: string;
  completed?: string;
  cached?: boolean;
  error?: string;
}

export interface VertexStatus {
  id: string;
  vertex: string;
  name?: string;
  current: number;
  total?: number;
  timestamp: string;
  started?: string;
  completed?: string;
}

export interface VertexLog {
  vertex: string;
  /** 1 stdout, 2 stderr. */
  stream: number;
  data: string;
  timestamp: string;
}

export interface VertexWarning {
  vertex: string;
  short: string;
}

export interface SolveStatus {
  vertexes?: Vertex[];
  statuses?: VertexStatus[];
  logs?: VertexLog[];
  warnings?: VertexWarning[];
}

export const TRACE_ID = 'moby.buildkit.trace';

export const isTrace = (m: ProgressMessage): m is ProgressMessage & { aux: SolveStatus } =>
  m.id === TRACE_ID && !!m.aux;

/** The image ID message that ends a build. */
export const resultOf = (m: ProgressMessage): string | null =>
  !m.id && m.aux && typeof m.aux.ID === 'string' ? m.aux.ID : null;

/** The last message's record of what the build depended on (a build with `record`), or null. */
export const dependsOf = (m: ProgressMessage): BuildDepends | null =>
  !m.id && m.aux && typeof m.aux.Depends === 'object' ? (m.aux.Depends as BuildDepends) : null;

export type Emit = (m: ProgressMessage) => void;

const now = () => new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');

/** Emits one vertex's changes. */
export class VertexHandle {
  private started?: string;
  constructor(
    private readonly emit: Emit,
    readonly digest: string,
    readonly name: string,
  ) {}

  private send(v: Partial<Vertex>): void {
    this.emit({ id: TRACE_ID, aux: { vertexes: [{ digest: this.digest, name: this.name, ...v }] } });
  }

  start(): this {
    this.started ??= now();
    this.send({ started: this.started });
    return this;
  }

  done(cached = false): void {
    const t = now();
    this.send({ started: this.started ?? t, completed: t, ...(cached ? { cached: true } : {}) });
  }

  fail(message: string): void {
    const t = now();
    this.send({ started: this.started ?? t, completed: t, error: message });
  }

  status(id: string, name: string, current: number, total?: number, completed = false): void {
    const t = now();
    const s: VertexStatus = {
      id,
      vertex: this.digest,
      name,
      current,
      ...(total !== undefined ? { total } : {}),
      timestamp: t,
      started: this.started ?? t,
      ...(completed ? { completed: t } : {}),
    };
    this.emit({ id: TRACE_ID, aux: { statuses: [s] } });
  }

  log(stream: 1 | 2, data: string): void {
    this.emit({ id: TRACE_ID, aux: { logs: [{ vertex: this.digest, stream, data, timestamp: now() }] } });
  }
}
