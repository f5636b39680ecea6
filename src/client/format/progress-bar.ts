/**
 * docker's progress bar (moby pkg/jsonmessage JSONProgress.String):
 * `[=====>        ]  12.35MB/40.1MB` with the time left, the bar only on a
 * terminal wider than 110 columns, the time left wider than 50. Pure; the
 * CLI's message display and the app's panels both use it.
 */
import { humanSize } from './humanize.js';

export interface ProgressDetail {
  current?: number;
  total?: number;
  /** Unix seconds the transfer started (for the time left). */
  start?: number;
}

/** Go's time.Duration String() for whole seconds: "1m5s", "42s", "0s". */
function goDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return (h ? `${h}h${m}m` : m ? `${m}m` : '') + `${s}s`;
}

/**
 * The bar and the byte counts. `width` is the terminal's (docker's rules for what shows); `barCells` the
 * bar's inside (docker's is 50; the app's dialogs narrow it to what fits, from 10).
 */
export function progressString(p: ProgressDetail, width = 200, nowSeconds = Date.now() / 1000, barCells = 50): string {
  const current = p.current ?? 0;
  const total = p.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current, 4).padStart(8);
  let percentage = Math.floor(Math.floor((current / total) * 100) / 2);
  if (percentage > 50) percentage = 50;
  let bar = '';
  if (width > 110) {
    const filled = barCells === 50 ? percentage : Math.floor((percentage * barCells) / 50);
    bar = `[${'='.repeat(filled)}>${' '.repeat(Math.max(barCells - filled, 0))}] `;
  }
  let numbers = `${humanSize(current, 4).padStart(8)}/${humanSize(total, 4)}`;
  if (current > total) numbers = humanSize(current, 4).padStart(8);
  let left = '';
  if (current > 0 && p.start && p.start > 0 && percentage < 50 && width > 50) {
    const elapsed = nowSeconds - p.start;
    const secs = Math.floor(((total - current) * elapsed) / current);
    left = ` ${goDuration(secs)}`;
  }
  return bar + numbers + left;
}
