/** The build dialog's own part: buildx's header and the steps as they run, failed or cancelled ones in red. */
import { buildStepLines } from '../presenters/build-lines.js';
import type { OutputView } from '../state/types.js';
import type { Theme } from '../theme/theme.js';
import { Line } from './Frame.js';

export function BuildSteps({ o, width, room, theme }: { o: OutputView; width: number; room: number; theme: Theme }) {
  const lines = buildStepLines(o.rows, width - 4, Math.max(1, room - 1));
  return (
    <>
      <Line width={width} bold>
        {o.header}
      </Line>
      {lines.map((l, i) => (
        <Line
          key={i}
          width={width}
          color={
            l.kind === 'error' || l.kind === 'canceled'
              ? theme.colors.error
              : l.kind === 'running' || l.kind === 'done'
                ? undefined
                : theme.colors.muted
          }
          bold={l.kind === 'running'}
        >
          {l.text}
        </Line>
      ))}
    </>
  );
}
