/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from 'ink';

/** Recent events, newest last, and the live tensor count and memory. */
export function EventLog({ lines, tensors, bytes }: { lines: string[]; tensors: number; bytes: number }) {
  return (
    <Box flexDirection="column">
      <Text bold>
        events · {tensors} tensors · {(bytes / 2 ** 20).toFixed(1)} MiB
      </Text>
      {lines.map((line, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: log lines may repeat
        <Text key={i} dimColor>
          {line}
        </Text>
      ))}
    </Box>
  );
}
