import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/** The terminal's columns and rows, updated when it is resized; `fixed` sizes win (tests, fixed layouts). */
export function useTerminalSize(fixed: { columns?: number | undefined; rows?: number | undefined } = {}) {
  const { stdout } = useStdout();
  const read = () => ({ columns: stdout.columns ?? 100, rows: stdout.rows ?? 40 });
  const [size, setSize] = useState(read);
  useEffect(() => {
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  });
  return { columns: fixed.columns ?? size.columns, rows: fixed.rows ?? size.rows };
}
