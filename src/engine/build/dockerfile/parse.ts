/**
 * Dockerfile text to stages: the logical lines (lines.ts), each as a typed
 * instruction (instructions.ts), grouped by FROM. Only ARG may come before
 * the first FROM (global build arguments). Errors are DockerfileError with
 * the lines. Pure.
 */
import { invalidArg } from '../../errors.js';
import { atLines, DockerfileError } from './errors.js';
import { parseInstruction } from './instructions.js';
import { splitLines } from './lines.js';
import type { ArgInstruction, Dockerfile, Instruction, Loc, Stage } from './types.js';

export function parseDockerfile(source: string): Dockerfile {
  if (!source.length) throw new DockerfileError('the Dockerfile cannot be empty', 1);
  const { directives, lines, warnings } = splitLines(source);
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const names = new Set<string>();
  for (const line of lines) {
    const ins = atLines(line.start, line.end, () => parseInstruction(line, directives.escape), true);
    if (ins.kind === 'FROM') {
      if (ins.alias) {
        if (names.has(ins.alias))
          warnings.push(`Duplicate stage name "${ins.alias}", stage names should be unique (line ${line.start})`);
        names.add(ins.alias);
      }
      stages.push({ index: stages.length, from: ins, ...(ins.alias ? { name: ins.alias } : {}), instructions: [] });
      continue;
    }
    const stage = stages[stages.length - 1];
    if (!stage) {
      if (ins.kind !== 'ARG') throw new DockerfileError('no build stage in current context', line.start, line.end);
      globalArgs.push(ins);
      continue;
    }
    stage.instructions.push(ins);
  }
  if (!stages.length) throw new DockerfileError('dockerfile contains no stages to build', lines[0]!.start);
  if (directives.syntax)
    warnings.push(`# syntax=${directives.syntax} is accepted and ignored: berth builds with its own frontend`);
  return { directives, globalArgs, stages, warnings };
}

/** An ONBUILD trigger (as an image stores it) as an instruction, located at the FROM line that runs it. */
export function parseTrigger(expression: string, at: Loc): Instruction {
  return atLines(
    at.start,
    at.end,
    () => {
      const { lines, directives } = splitLines(expression);
      if (lines.length !== 1) throw invalidArg('onbuild trigger should be a single expression');
      const ins = parseInstruction({ ...lines[0]!, start: at.start, end: at.end }, directives.escape);
      if (ins.kind === 'FROM' || ins.kind === 'ONBUILD' || ins.kind === 'MAINTAINER')
        throw invalidArg(`${ins.kind} isn't allowed as an ONBUILD trigger`);
      return ins;
    },
    true,
  );
}
