/**
 * Names in the byte order of their UTF-8 (Go's sort of file names, which
 * tars and checksums follow). UTF-16 code units compare as UTF-8 bytes do
 * below U+D800, so names without a surrogate or a character from U+E000 up
 * (nearly all) are compared as strings, without a Buffer for each comparison.
 */
const HIGH = /[\uD800-\uFFFF]/;

const asBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
const asUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Sort names in place by their UTF-8 bytes; returns them. */
export function sortByBytes(names: string[]): string[] {
  return names.sort(names.some((n) => HIGH.test(n)) ? asBytes : asUnits);
}
