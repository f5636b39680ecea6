/**
 * What may differ between two engines' answers to the same docker command
 * without being a difference: IDs, times, durations, generated names, the
 * per-side scratch directory. Pure.
 */

export interface SideFacts {
  /** The side's scratch directory (cases write files there). */
  work: string;
  /** Strings of this side to hide (root directories, socket paths). */
  hide: string[];
}

export function normalize(text: string, side: SideFacts): string {
  let t = text.replace(/\r\n/g, '\n').replace(/\^@/g, '');
  t = t.split(side.work).join('<WORK>');
  for (const h of side.hide) if (h) t = t.split(h).join('<HIDDEN>');
  return (
    t
      // times: RFC 3339 (with nanoseconds, zones), Go's time.String(), Unix stamps
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<TIME>')
      .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? [+-]\d{4} \w+/g, '<TIME>')
      // durations as docker words them
      .replace(
        /(Less than a second|About a minute|About an hour|\d+ (seconds|second|minutes|minute|hours|hour|days|weeks|months))/g,
        '<DURATION>',
      )
      .replace(/(Up|Exited \(\d+\)) <DURATION>( ago)?/g, '$1 <DURATION>')
      // IDs: sha256 digests, full and short hex IDs
      .replace(/sha256:[0-9a-f]{64}/g, 'sha256:<ID>')
      .replace(/\b[0-9a-f]{64}\b/g, '<ID>')
      .replace(/\b[0-9a-f]{12}\b/g, '<ID12>')
      // process numbers and clock columns of `top`
      .replace(
        /^(\S+\s+)\d+(\s+)\d+(\s+\d+\s+)\d\d:\d\d(\s+\S+\s+)\d\d:\d\d:\d\d/gm,
        '$1<PID>$2<PID>$3<STIME>$4<CPUTIME>',
      )
      // table columns are as wide as their widest cell, which the replacements above changed
      .replace(/ {2,}/g, '  ')
      .replace(/[ \t]+$/gm, '')
  );
}
