/** The README's key list, made from the keymap table (test/unit/tui-readme-keys.test.ts keeps the README in step). */
import { DEFAULT_BINDINGS, SCOPE_TITLES, type Binding, type Scope } from './bindings.js';
import { displayKey } from './keys.js';

const cell = (s: string) => s.replace(/\|/g, '\\|');

export function readmeKeyList(bindings: readonly Binding[] = DEFAULT_BINDINGS): string {
  const out: string[] = [];
  for (const scope of Object.keys(SCOPE_TITLES) as Scope[]) {
    const bs = bindings.filter((b) => b.scope === scope);
    if (!bs.length) continue;
    out.push(`**${SCOPE_TITLES[scope]}**`, '', '| keys | command | what it does |', '|---|---|---|');
    for (const b of bs)
      out.push(
        `| ${b.keys.map((k) => '`' + cell(displayKey(k)) + '`').join(' ')} | \`${b.id}\` | ${cell(b.description)} |`,
      );
    out.push('');
  }
  return out.join('\n').trimEnd() + '\n';
}
