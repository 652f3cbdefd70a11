import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A run directory as l2l train writes it, killed mid-write (no summary, torn last line). Test utility. */
export function fakeRun(root: string): string {
  const dir = join(root, 'run-a');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ kind: 'l2l-train', config: { task: 'quadratic' }, seed: 0, backend: 'wasm', run: {} }),
  );
  const evaluation = {
    type: 'evaluation',
    name: 'held-out log10 final loss',
    higherIsBetter: false,
    best: true,
  };
  const lines = [
    { type: 'progress', time: 1000, step: 1, metrics: { metaLoss: 10, gradientNorm: 2 }, ms: 5 },
    { ...evaluation, time: 2000, step: 1, value: -0.4 },
    { ...evaluation, time: 3000, step: 2, value: -0.6 },
  ];
  writeFileSync(join(dir, 'metrics.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  appendFileSync(join(dir, 'metrics.jsonl'), '{"type":"progr');
  return dir;
}
