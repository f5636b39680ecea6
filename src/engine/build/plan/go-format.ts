/**
 * Go's fmt verbs as BuildKit's history strings use them (`CMD %q`,
 * `VOLUME %v`, `EXPOSE %v` of a map, `HEALTHCHECK %q` of the config
 * struct, time.Duration's String): the image history shows them verbatim,
 * so they must be byte-equal to docker's. Pure.
 */

const ESC: Record<string, string> = {
  '\x07': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
  '\\': '\\\\',
};

function quoteChar(c: string, quote: string): string {
  if (c === quote) return '\\' + c;
  if (ESC[c]) return ESC[c]!;
  const cp = c.codePointAt(0)!;
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  if (/^[\p{C}\p{Zl}\p{Zp}]$/u.test(c) || (/^\p{Z}$/u.test(c) && c !== ' ')) {
    return cp <= 0xffff ? '\\u' + cp.toString(16).padStart(4, '0') : '\\U' + cp.toString(16).padStart(8, '0');
  }
  return c;
}

/** strconv.Quote. */
export function goQuote(s: string): string {
  let out = '"';
  for (const c of s) out += quoteChar(c, '"');
  return out + '"';
}

/** strconv.QuoteRune (`%q` of an int). */
export function goQuoteRune(n: number): string {
  return "'" + quoteChar(String.fromCodePoint(n), "'") + "'";
}

/** `%q` of a []string: ["a" "b"]. */
export const goQuoteList = (list: string[]) => `[${list.map(goQuote).join(' ')}]`;

/** `%v` of a []string: [a b]. */
export const goList = (list: string[]) => `[${list.join(' ')}]`;

/** `%v` of a map[string]struct{}: map[a:{} b:{}], keys sorted. */
export const goSetMap = (keys: string[]) =>
  `map[${[...keys]
    .sort()
    .map((k) => `${k}:{}`)
    .join(' ')}]`;

function fmtFrac(v: bigint, prec: number): [string, bigint] {
  let out = '';
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = v % 10n;
    print = print || digit !== 0n;
    if (print) out = digit.toString() + out;
    v /= 10n;
  }
  return [print ? '.' + out : '', v];
}

/** time.Duration.String of nanoseconds. */
export function goDuration(nanos: number): string {
  let u = BigInt(Math.round(Math.abs(nanos)));
  const neg = nanos < 0;
  if (u < 1_000_000_000n) {
    if (u === 0n) return '0s';
    let unit = 'ns';
    let prec = 0;
    if (u >= 1_000_000n) [unit, prec] = ['ms', 6];
    else if (u >= 1_000n) [unit, prec] = ['µs', 3];
    const [frac, whole] = fmtFrac(u, prec);
    return `${neg ? '-' : ''}${whole}${frac}${unit}`;
  }
  const [frac, secs] = fmtFrac(u, 9);
  u = secs;
  let out = `${u % 60n}${frac}s`;
  u /= 60n;
  if (u > 0n) {
    out = `${u % 60n}m` + out;
    u /= 60n;
    if (u > 0n) out = `${u}h` + out;
  }
  return (neg ? '-' : '') + out;
}
