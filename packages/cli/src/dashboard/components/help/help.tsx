/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { Box, Text } from 'ink';

function keyBindings(controls: boolean): [string, string][] {
  return [
    ...(controls
      ? ([
          ['p', 'pause / resume training'],
          ['s', 'write a checkpoint now'],
          ['q', 'stop: checkpoint, summary, exit'],
        ] as [string, string][])
      : ([['q', 'stop watching']] as [string, string][])),
    ['l', 'toggle log scale'],
    ['m', 'toggle smoothing (debiased EMA)'],
    ['tab', 'next chart'],
    ['h', 'toggle this help'],
  ];
}

/** Rows the help box takes (its keys and its border). */
export function helpLines(controls: boolean): number {
  return keyBindings(controls).length + 2;
}

/** The key bindings; `controls` is false when watching a run another process writes. */
export function Help({ controls }: { controls: boolean }) {
  const keys = keyBindings(controls);
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      {keys.map(([key, what]) => (
        <Text key={key}>
          <Text bold>{key.padEnd(4)}</Text> {what}
        </Text>
      ))}
    </Box>
  );
}
