/**
 * A container's log, followed live into a bounded ring buffer. Lines are
 * taken as they come but the view is told at most every 50 ms, so a chatty
 * container costs one redraw per batch rather than one per line.
 */
import { useEffect, useRef, useState } from 'react';
import { mergedLogs, type SourcedLine } from '../../client/merged-logs.js';
import { LogRing } from '../presenters/log-buffer.js';
import { useServices } from './context.js';

export interface LogsState {
  ring: LogRing;
  /** Changes whenever lines arrived. */
  version: number;
  error: string | null;
  /** The log ended (the container stopped; merged: all of them). */
  ended: boolean;
}

const FLUSH_MS = 50;

/**
 * `refs`: one container, or several whose logs merge (a compose project's;
 * each line keeps the index of its container). `epoch` restarts the stream
 * (a container was started again).
 */
export function useLogs(refs: readonly string[] | null, epoch: string, merged = false): LogsState {
  const key = refs?.join(',') ?? '';
  const { backend, settings } = useServices();
  const ringRef = useRef<LogRing>(new LogRing(settings.logs.bufferLines));
  const [state, setState] = useState<Omit<LogsState, 'ring'>>({ version: 0, error: null, ended: false });
  useEffect(() => {
    const ring = new LogRing(settings.logs.bufferLines);
    ringRef.current = ring;
    setState({ version: 0, error: null, ended: false });
    if (!key) return;
    const ids = key.split(',');
    const ac = new AbortController();
    let timer: NodeJS.Timeout | null = null;
    const flush = () => {
      timer = null;
      if (!ac.signal.aborted) setState((s) => (s.version === ring.next ? s : { ...s, version: ring.next }));
    };
    void (async () => {
      try {
        const opts = { tail: settings.logs.tail, follow: true, signal: ac.signal };
        const lines = merged ? mergedLogs(backend, ids, opts) : backend.containerLogs(ids[0]!, opts);
        for await (const line of lines) {
          ring.push(line, (line as Partial<SourcedLine>).source ?? 0);
          timer ??= setTimeout(flush, FLUSH_MS);
        }
        if (ac.signal.aborted) return;
        if (timer) clearTimeout(timer);
        setState({ version: ring.next, error: null, ended: true });
      } catch (e) {
        if (!ac.signal.aborted) setState({ version: ring.next, error: (e as Error).message, ended: true });
      }
    })();
    return () => {
      ac.abort();
      if (timer) clearTimeout(timer);
    };
  }, [backend, key, merged, epoch, settings.logs.bufferLines, settings.logs.tail]);
  return { ring: ringRef.current, ...state };
}
