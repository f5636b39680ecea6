/** Bytes used by a directory tree (docker's SizeRw: regular files, hard links once). */
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function duSync(dir: string): number {
  const seen = new Set<number>();
  let total = 0;
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(d, n);
      let st;
      try {
        st = lstatSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.size > 0 && !seen.has(st.ino)) {
        seen.add(st.ino);
        total += st.size;
      }
    }
  };
  walk(dir);
  return total;
}
