/**
 * Reading docker-style tables in tests without depending on cell contents
 * that change with the clock ("17 hours ago", "2 days ago"): the table is
 * cut at the header's column starts, and Go's tabwriter rule is checked on
 * the way: every column but the last is as wide as its widest cell plus 3,
 * and at least 10.
 */
import { expect } from 'vitest';

export function parseTable(text: string, headers: string[]): Record<string, string>[] {
  const lines = text.replace(/\n$/, '').split('\n');
  const head = lines[0]!;
  const starts: number[] = [];
  let from = 0;
  for (const h of headers) {
    const at = head.indexOf(h, from);
    expect(at, `header ${h} in ${JSON.stringify(head)}`).toBeGreaterThanOrEqual(0);
    starts.push(at);
    from = at + h.length;
  }
  expect(starts[0]).toBe(0);
  const cells = lines.map((line) =>
    starts.map((s, c) => {
      const end = c + 1 < starts.length ? starts[c + 1]! : line.length;
      const raw = line.slice(s, end);
      if (c + 1 < starts.length)
        expect(raw, `cell ${c} of ${JSON.stringify(line)} is padded with blanks`).toMatch(/ {3,}$/);
      return raw.trimEnd();
    }),
  );
  for (let c = 0; c + 1 < starts.length; c++) {
    const widest = Math.max(...cells.map((r) => r[c]!.length));
    expect(starts[c + 1]! - starts[c]!, `width of column ${headers[c]}`).toBe(Math.max(10, widest + 3));
  }
  expect(cells[0]).toEqual(headers);
  return cells.slice(1).map((r) => Object.fromEntries(headers.map((h, c) => [h, r[c]!])));
}
