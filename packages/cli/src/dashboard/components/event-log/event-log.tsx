/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from 'ink';

/** Recent events, newest last, and the live tensor count and memory. */
export function EventLog({
  lines,
  tensors,
  bytes,
  maxRows,
}: {
  lines: string[];
  tensors: number;
  bytes: number;
  /** Lines shown at most (the newest). */
  maxRows?: number;
}) {
  const shown = maxRows === undefined ? lines : lines.slice(-maxRows);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        events · {tensors} tensors · {(bytes / 2 ** 20).toFixed(1)} MiB
      </Text>
      {shown.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: log lines may repeat
        <Text key={i} dimColor wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
}
