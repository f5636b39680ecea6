/** Tab in a path field: read the directory and complete (state/path-complete.ts does the choosing). */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Services } from '../hooks/context.js';
import { FORMS, text } from '../state/forms.js';
import { completePath, completionDir, type DirEntry } from '../state/path-complete.js';
import type { FormState } from '../state/types.js';

function entries(dir: string): DirEntry[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((d) => {
      let isDir = d.isDirectory();
      if (d.isSymbolicLink()) {
        try {
          isDir = statSync(join(dir, d.name)).isDirectory();
        } catch {
          isDir = false;
        }
      }
      return { name: d.name, dir: isDir };
    });
  } catch {
    return [];
  }
}

/** Complete the focused path field; false when the field is not a path (Tab then moves on). */
export function completeField(svc: Services, f: FormState): boolean {
  const spec = FORMS[f.form].fields[f.field]!;
  if (spec.kind !== 'path') return false;
  const cur = text(f.values[spec.name]);
  const found = entries(completionDir(cur, svc.cwd, process.env.HOME ?? ''));
  const r = completePath(cur, spec.dirs ? found.filter((e) => e.dir) : found);
  const shown =
    r.candidates.slice(0, 12).join('  ') + (r.candidates.length > 12 ? `  … ${r.candidates.length - 12} more` : '');
  svc.store.dispatch({
    type: 'formSet',
    name: spec.name,
    value: r.text,
    hint: r.candidates.length ? shown : r.text === cur ? 'no match' : null,
  });
  return true;
}
