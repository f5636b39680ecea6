/**
 * Dockerfile text to stages: the logical lines (lines.ts), each as a typed
 * instruction (instructions.ts), grouped by FROM. Only ARG may come before
 * the first FROM (global build arguments). Errors are DockerfileError with
 * the line. Pure.
 */
import { atLines, DockerfileError } from './errors.js';
import { parseInstruction } from './instructions.js';
import { splitLines } from './lines.js';
import type { ArgInstruction, Dockerfile, Stage } from './types.js';

export function parseDockerfile(source: string): Dockerfile {
  const { directives, lines, warnings } = splitLines(source);
  const globalArgs: ArgInstruction[] = [];
  const stages: Stage[] = [];
  const names = new Set<string>();
  for (const line of lines) {
    const ins = atLines(line.start, line.end, () => parseInstruction(line, directives.escape));
    if (ins.kind === 'FROM') {
      if (ins.alias) {
        if (names.has(ins.alias))
          throw new DockerfileError(`duplicate stage name "${ins.alias}"`, line.start, line.end);
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
  if (!stages.length) throw new DockerfileError('no build stage in current context', lines[0]!.start);
  if (directives.syntax)
    warnings.push(`# syntax=${directives.syntax} is accepted and ignored: berth builds with its own frontend`);
  return { directives, globalArgs, stages, warnings };
}
