/**
 * A parsed Dockerfile. Values are kept as written (quotes and variables not
 * yet expanded): what a variable means depends on the ARG and ENV state of the
 * stage at that point, which the planner tracks.
 */
import type { Directives, Heredoc } from './lines.js';

export interface Loc {
  /** 1-based first and last line in the Dockerfile. */
  start: number;
  end: number;
  /** The instruction as written (continuations joined). */
  original: string;
}

/** Shell form (run through the stage's SHELL) or exec form (a JSON array). */
export type CommandForm = { form: 'shell'; text: string } | { form: 'exec'; args: string[] };

/** Raw `key=value` pairs of ENV and LABEL, each side still to be expanded. */
export type RawPair = [key: string, value: string];

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
  cmd: CommandForm;
  /** `--mount=` values as written. */
  mounts: string[];
  network?: string;
  security?: string;
  heredocs: Heredoc[];
}

export interface CmdInstruction extends Base {
  kind: 'CMD' | 'ENTRYPOINT';
  cmd: CommandForm;
}

export interface ShellInstruction extends Base {
  kind: 'SHELL';
  shell: string[];
}

export interface CopyInstruction extends Base {
  kind: 'COPY' | 'ADD';
  sources: string[];
  dest: string;
  /** Sources were written as a JSON array. */
  json: boolean;
  heredocs: Heredoc[];
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

export interface ListInstruction extends Base {
  kind: 'EXPOSE' | 'VOLUME';
  values: string[];
}

export interface ValueInstruction extends Base {
  kind: 'USER' | 'WORKDIR' | 'STOPSIGNAL' | 'MAINTAINER';
  value: string;
}

export interface HealthcheckInstruction extends Base {
  kind: 'HEALTHCHECK';
  /** null for HEALTHCHECK NONE. */
  cmd: CommandForm | null;
  interval?: string;
  timeout?: string;
  startPeriod?: string;
  startInterval?: string;
  retries?: string;
}

export interface OnbuildInstruction extends Base {
  kind: 'ONBUILD';
  /** The trigger as written (stored in the image's OnBuild list). */
  trigger: string;
  parsed: Instruction;
}

export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | ShellInstruction
  | CopyInstruction
  | PairsInstruction
  | ArgInstruction
  | ListInstruction
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
