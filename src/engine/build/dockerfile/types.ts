/**
 * A parsed Dockerfile, as BuildKit's instructions package types it. Values
 * are kept as written (quotes and variables not yet expanded): what a
 * variable means depends on the ARG and ENV state of the stage at that
 * point, which the planner tracks.
 */
import type { Directives, Heredoc } from './lines.js';

export interface Loc {
  /** 1-based first and last line in the Dockerfile. */
  start: number;
  end: number;
  /** The instruction as written (continuations joined). */
  original: string;
}

/** A key=value of ENV and LABEL, each side still to be expanded; noDelim for the legacy `ENV key value`. */
export interface RawPair {
  key: string;
  value: string;
  noDelim: boolean;
}

/** A heredoc used as a file: COPY's source or RUN's script. */
export interface InlineFile {
  name: string;
  data: string;
  /** `<<-`: leading tabs are stripped from each line. */
  chomp: boolean;
  /** Variables in the body are expanded (the terminator was not quoted). */
  expand: boolean;
}

interface Base {
  loc: Loc;
}

export interface FromInstruction extends Base {
  kind: 'FROM';
  image: string;
  alias?: string;
  platform?: string;
}

export interface RunInstruction extends Base {
  kind: 'RUN';
  /** One shell string (shell form) or the exec-form arguments. */
  cmdLine: string[];
  /** Shell form: the stage's SHELL runs it. */
  prependShell: boolean;
  /** Heredocs attached to the command. */
  files: InlineFile[];
  /** `--mount=` values as written. */
  mounts: string[];
  network?: string;
  security?: string;
}

export interface CmdInstruction extends Base {
  kind: 'CMD' | 'ENTRYPOINT';
  cmdLine: string[];
  prependShell: boolean;
}

export interface ShellInstruction extends Base {
  kind: 'SHELL';
  shell: string[];
}

export interface CopyInstruction extends Base {
  kind: 'COPY' | 'ADD';
  sources: string[];
  /** Heredoc sources (`COPY <<EOF /dest`). */
  contents: InlineFile[];
  dest: string;
  from?: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  parents: boolean;
  exclude: string[];
  /** ADD only. */
  checksum?: string;
  keepGitDir?: boolean;
}

export interface PairsInstruction extends Base {
  kind: 'ENV' | 'LABEL';
  pairs: RawPair[];
}

export interface ArgInstruction extends Base {
  kind: 'ARG';
  args: { name: string; value?: string }[];
}

export interface ExposeInstruction extends Base {
  kind: 'EXPOSE';
  ports: string[];
}

export interface VolumeInstruction extends Base {
  kind: 'VOLUME';
  volumes: string[];
}

export interface ValueInstruction extends Base {
  kind: 'USER' | 'WORKDIR' | 'STOPSIGNAL' | 'MAINTAINER';
  value: string;
}

export interface HealthcheckInstruction extends Base {
  kind: 'HEALTHCHECK';
  /** ["NONE"], ["CMD", args...] or ["CMD-SHELL", command], as the image config stores it. */
  test: string[];
  /** Nanoseconds (0 = the default). */
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface OnbuildInstruction extends Base {
  kind: 'ONBUILD';
  /** The trigger as stored in the image's OnBuild list. */
  expression: string;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | ShellInstruction
  | CopyInstruction
  | PairsInstruction
  | ArgInstruction
  | ExposeInstruction
  | VolumeInstruction
  | ValueInstruction
  | HealthcheckInstruction
  | OnbuildInstruction;

export interface Stage {
  /** Position among the stages, from 0. */
  index: number;
  from: FromInstruction;
  /** Lower-cased `AS` name. */
  name?: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  directives: Directives;
  /** ARGs before the first FROM (usable in FROM lines). */
  globalArgs: ArgInstruction[];
  stages: Stage[];
  warnings: string[];
}

export type { Heredoc };
