/**
 * `search` results as docker's table cells (NAME, DESCRIPTION, STARS,
 * OFFICIAL, AUTOMATED): the CLI prints them, the app's search dialog draws
 * them.
 */
import type { SearchResult } from '../api.js';

/** docker's formatter.Ellipsis: at most n characters, the last one an ellipsis when cut. */
export function ellipsis(s: string, n: number): string {
  const chars = [...s];
  return chars.length <= n ? s : chars.slice(0, n - 1).join('') + '…';
}

export type SearchRow = {
  Name: string;
  Description: string;
  StarCount: string;
  IsOfficial: string;
  IsAutomated: string;
};

export function searchRows(results: readonly SearchResult[], noTrunc: boolean): SearchRow[] {
  return results.map((r) => {
    const desc = r.description.replace(/\n/g, ' ').replace(/[\x00-\x1f\x7f]/g, '');
    return {
      Name: r.name,
      Description: noTrunc ? desc : ellipsis(desc, 45),
      StarCount: String(r.star_count),
      IsOfficial: r.is_official ? '[OK]' : '',
      IsAutomated: r.is_automated ? '[OK]' : '',
    };
  });
}
