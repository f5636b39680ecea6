import { BerthError } from '../../errors.js';

/** A symbolic chmod (u+x,g-w,o=r,a+X) applied to a mode. */
export function applySymbolicMode(mode: number, spec: string, isDir: boolean): number {
  let m = mode & 0o7777;
  for (const clause of spec.split(',')) {
    const c = /^([ugoa]*)([-+=])([rwxXst]*)$/.exec(clause);
    if (!c) throw new BerthError('INVALID_ARGUMENT', `invalid chmod parameter: '${spec}'`);
    const who = c[1] || 'a';
    let bits = 0;
    for (const p of c[3]!) {
      if (p === 'r') bits |= 0o444;
      if (p === 'w') bits |= 0o222;
      if (p === 'x' || (p === 'X' && (isDir || mode & 0o111))) bits |= 0o111;
      if (p === 's') bits |= 0o6000;
      if (p === 't') bits |= 0o1000;
    }
    let mask = 0;
    if (who.includes('u') || who.includes('a')) mask |= 0o4700;
    if (who.includes('g') || who.includes('a')) mask |= 0o2070;
    if (who.includes('o') || who.includes('a')) mask |= 0o1007;
    bits &= mask;
    if (c[2] === '+') m |= bits;
    else if (c[2] === '-') m &= ~bits;
    else m = (m & ~mask) | bits;
  }
  return m;
}
