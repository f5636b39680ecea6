/** The terminal's size, following resizes (SIGWINCH arrives as the stream's resize event). */
import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

export interface Size {
  columns: number;
  rows: number;
}

const read = (out: NodeJS.WriteStream): Size => ({ columns: out.columns || 80, rows: out.rows || 24 });

export function useTerminalSize(fixed?: Size): Size {
  const { stdout } = useStdout();
  const [size, setSize] = useState<Size>(() => fixed ?? read(stdout));
  useEffect(() => {
    if (fixed) return;
    const onResize = () =>
      setSize((cur) => {
        const n = read(stdout);
        return n.columns === cur.columns && n.rows === cur.rows ? cur : n;
      });
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout, fixed]);
  return fixed ?? size;
}
