/**
 * The hosts list (H): one overview row per host (running, total and failing
 * containers, CPU and memory of the running ones), the current one marked.
 * j/k move, Enter switches to the chosen host, Esc or H closes. Opening it
 * connects to every host; one that cannot be reached shows why.
 */
import { useCallback, useEffect, useState } from 'react';
import { bytesSize } from '../../client/format/humanize.js';
import { runCommand } from '../actions/commands.js';
import { say } from '../actions/task.js';
import { useServices, type OverviewRow } from '../hooks/context.js';
import { useKeys, type KeyHandler } from '../hooks/use-keys.js';
import { fit } from '../presenters/columns.js';
import { Frame, Line } from './Frame.js';

/** One overview row as the list shows it (pure; the tests read these). */
export function overviewLine(r: OverviewRow, width: number): string {
  const mark = r.current ? '*' : ' ';
  const name = fit(r.name, 16, 'left');
  let figures: string;
  if (r.state === 'up') {
    const cpu = r.cpuPercent === null ? '-' : `${r.cpuPercent.toFixed(1)}%`;
    const mem = r.memBytes === null ? '-' : bytesSize(r.memBytes);
    figures = `${r.running}/${r.total} running · ${r.failing} failing · CPU ${cpu} · MEM ${mem}`;
  } else if (r.state === 'down') figures = `unreachable: ${r.error ?? ''}`;
  else figures = 'connecting…';
  return fit(`${mark} ${name} ${figures}  ${r.address}`, width, 'left');
}

export function HostsOverlay({ columns, rows, index }: { columns: number; rows: number; index: number }) {
  const svc = useServices();
  const hosts = svc.hosts!;
  const { theme } = svc;
  const [, setTick] = useState(0);
  // the figures move with every host's feeds: redraw every 2 s while the list shows, and when a host connects
  useEffect(() => {
    const bump = () => setTick((t) => t + 1);
    const off = hosts.subscribe(bump);
    const t = setInterval(bump, 2000);
    t.unref?.();
    return () => {
      off();
      clearInterval(t);
    };
  }, [hosts]);
  const count = hosts.size;
  const onKey: KeyHandler = useCallback(
    (b) => {
      const d = svc.store.dispatch;
      if (!b) return;
      if (b.id === 'menu.down' || b.id === 'menu.up')
        return d({ type: 'hostsMove', delta: b.id === 'menu.down' ? 1 : -1, max: count - 1 });
      if (b.id === 'menu.close' || b.id === 'app.hosts') return d({ type: 'closeOverlay' });
      if (b.id === 'menu.run') {
        d({ type: 'closeOverlay' });
        if (index === hosts.currentIndex) return;
        void hosts.switchTo(index).then((ok) => {
          if (!ok)
            say(
              svc,
              `Hosts: ${hosts.overviewRow(index).name}: ${hosts.overviewRow(index).error ?? 'unreachable'}`,
              'error',
            );
        });
        return;
      }
      if (b.id === 'app.interrupt') runCommand(svc, b.id);
    },
    [svc, hosts, index, count],
  );
  useKeys(['menu', 'global'], onKey, true);
  const width = Math.min(columns - 4, 110);
  const lines = Array.from({ length: count }, (_, i) => overviewLine(hosts.overviewRow(i), width - 2));
  return (
    <Frame
      title={`Hosts (${count})`}
      width={width}
      columns={columns}
      rows={rows}
      theme={theme}
      footer="Enter switches · j/k move · Esc closes"
    >
      {lines.map((l, i) => (
        <Line key={i} width={width} inverse={i === index}>
          {l}
        </Line>
      ))}
    </Frame>
  );
}
