/**
 * A vitest reporter that lists every skipped test at the end of the run, by
 * file and full name, with the reason its suite recorded (test/helpers/env.ts
 * describeIf / itIf / announceSkip write them to BERTH_SKIP_LOG), and counts
 * them. A skip with no recorded reason is listed as such: every skip must
 * name the prerequisite it lacks.
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, RunnerTask, RunnerTestFile } from 'vitest/node';

interface Skip {
  file: string;
  name: string;
  reason: string;
}

function reasons(): Map<string, string> {
  const log = process.env.BERTH_SKIP_LOG;
  const out = new Map<string, string>();
  if (!log || !existsSync(log)) return out;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (!line) continue;
    const r = JSON.parse(line) as { name: string; reason: string };
    out.set(r.name, r.reason);
  }
  return out;
}

function collect(
  task: RunnerTask,
  path: string[],
  file: string,
  why: Map<string, string>,
  inherited: string | null,
  out: Skip[],
): void {
  const here = why.get(task.name) ?? inherited;
  if (task.type === 'suite') {
    for (const t of task.tasks) collect(t, [...path, task.name], file, why, here, out);
    return;
  }
  const skipped = task.mode === 'skip' || task.result?.state === 'skip';
  if (skipped) out.push({ file, name: [...path, task.name].join(' > '), reason: here ?? 'no reason recorded' });
}

export default class SkipReporter implements Reporter {
  private root = process.cwd();

  onInit(ctx: { config: { root: string } }): void {
    this.root = ctx.config.root;
  }

  onFinished(files: RunnerTestFile[] = []): void {
    const why = reasons();
    const skips: Skip[] = [];
    for (const f of files) {
      const file = relative(this.root, f.filepath);
      for (const t of f.tasks) collect(t, [], file, why, null, skips);
    }
    const w = (s: string) => process.stdout.write(s + '\n');
    w('');
    if (!skips.length) {
      w('Skipped tests: 0');
      return;
    }
    w(`Skipped tests: ${skips.length}`);
    for (const s of skips) w(`  SKIP ${s.file} > ${s.name}\n       because: ${s.reason}`);
  }
}
