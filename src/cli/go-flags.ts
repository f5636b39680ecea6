/**
 * The docker CLI's flag forms commander lacks: a boolean flag with a value
 * (`--rm=false`, `-p=false`, `--sig-proxy=true`) and a short flag with `=`
 * (`-m=64m`). Turned into what commander reads: the flag, `--no-NAME`, or
 * nothing; `-m 64m`. Options end at `--` or at the first argument (the image
 * of `run`, the command of `exec`): what follows belongs to the container.
 */
import type { Command, Option } from 'commander';

const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

export function goStyleFlags(cmd: Command, args: string[]): string[] {
  const opts = cmd.options as Option[];
  const find = (flag: string) => opts.find((o) => o.long === flag || o.short === flag);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--' || !a.startsWith('-') || a === '-') {
      out.push(...args.slice(i));
      break;
    }
    const m = /^(-[A-Za-z]|--[A-Za-z][\w-]*)=(.*)$/s.exec(a);
    const opt = find(m ? m[1]! : a);
    if (!m || !opt) {
      out.push(a);
      if (opt && opt.required && !m) (out.push(...args.slice(i + 1, i + 2)), i++); // its value is no argument
      continue;
    }
    const [, flag, value] = m as unknown as [string, string, string];
    if (opt.required || opt.optional) {
      out.push(flag, value);
    } else if (TRUE.includes(value)) {
      out.push(opt.long ?? flag);
    } else if (FALSE.includes(value)) {
      // `--no-NAME` when the command declares it (a flag on by default); otherwise false is the default
      const negate = opts.find((o) => o.negate && o.long === `--no-${opt.long!.slice(2)}`);
      if (negate) out.push(negate.long!);
    } else {
      out.push(a); // commander reports it
    }
  }
  return out;
}
