/** A one-line progress display on a terminal (bytes, layers, rate), redrawn at most 10 times a second. */
import type { TransferProgress } from '../client/api.js';
import { humanSize } from '../client/format/humanize.js';

export function progressLine(stream: NodeJS.WriteStream, label: string) {
  const start = Date.now();
  let last = 0;
  let shown = false;
  return {
    update(p: TransferProgress) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const secs = Math.max((now - start) / 1000, 0.001);
      const total = p.total ? ` / ${humanSize(p.total)}` : '';
      const line = `${label} ${humanSize(p.bytes)}${total}  ${p.layers} layer${p.layers === 1 ? '' : 's'}  ${humanSize(p.bytes / secs)}/s`;
      stream.write(`\r\x1b[K${line}`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
