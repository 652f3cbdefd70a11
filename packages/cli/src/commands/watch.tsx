/** @jsxRuntime automatic */
/** @jsxImportSource react */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapedExcerpt, lockHolder, type TrainEvent } from '@metagrad/core';
import type { Command } from 'commander';
import { render } from 'ink';
import { initialDashboardState, withReference } from '../dashboard/state/dashboard-state.js';
import { WatchApp } from '../dashboard/watch-app.js';
import { MetricsTail } from '../run/metrics-tail.js';
import { RUN_FILES, readRunConfig } from '../run/run-directory.js';
import { writeStdout } from '../run/stdout.js';

interface ComparisonRowFile {
  optimizer: string;
  log10FinalLoss: number;
  learningRate: number | null;
  curve: number[];
}

/** The rows of a finished l2l comparison (comparison.json), if the run has one. */
function comparisonRows(dir: string): ComparisonRowFile[] {
  const path = join(dir, 'comparison.json');
  if (!existsSync(path)) return [];
  try {
    const rows = (JSON.parse(readFileSync(path, 'utf8')) as { rows?: ComparisonRowFile[] }).rows;
    return Array.isArray(rows) ? rows : [];
  } catch {
    return [];
  }
}

/** `metagrad watch RUN_DIR`: the dashboard for a run written by another process. */
export function registerWatchCommand(program: Command): void {
  program
    .command('watch')
    .description('attach the dashboard to a run that another process is writing')
    .argument('<dir>', 'run directory')
    .addHelpText(
      'after',
      '\nExamples:\n  $ metagrad watch runs/l2l-quadratic-2026-11-26T08-00-00\n\nKeys: l log scale, m smoothing, tab next chart, h help, q quit.',
    )
    .action(async (dir: string) => {
      const config = readRunConfig(dir);
      const tail = new MetricsTail<TrainEvent>(join(dir, RUN_FILES.metrics));
      // A finished l2l run's comparison.json: the tuned baselines on the test tasks.
      const rows = comparisonRows(dir);
      const base = initialDashboardState({
        title: config.title ?? config.kind,
        backend: config.backend,
        seed: String(config.seed),
        runDir: dir,
        // The learned optimizer's own test-set row of a finished comparison.
        baselines: rows
          .filter((r) => r.learningRate === null)
          .map((r) => ({ label: `${r.optimizer} (test)`, value: r.log10FinalLoss, learned: true })),
      });
      // The tuned baselines' test results and curves, next to the learned optimizer's.
      const tuned = rows.filter((r) => r.learningRate !== null && Array.isArray(r.curve));
      const initial = withReference(base, {
        entries: tuned.map((r) => ({ label: `${r.optimizer} (tuned)`, value: r.log10FinalLoss })),
        curves: tuned.map((r) => ({
          name: `${r.optimizer} (tuned)`,
          points: r.curve.map((y, x) => ({ x, y })),
        })),
      });
      if (!process.stdout.isTTY) {
        // No TTY: plain lines, no escape codes, until the run ends or nothing writes it any more.
        let idle = 0;
        for (;;) {
          const events = tail.poll();
          for (const e of events) {
            writeStdout(`${JSON.stringify(e)}\n`);
            if (e.type === 'end') return;
          }
          // Two quiet polls with no live process holding the run: it was stopped or killed.
          idle = events.length === 0 && !lockHolder(dir) ? idle + 1 : 0;
          if (idle >= 2) {
            const torn =
              tail.pendingLine === ''
                ? ''
                : `; its last line was cut short: ${escapedExcerpt(tail.pendingLine)}`;
            process.stderr.write(`watch: no process is writing ${dir} and its log has no end event${torn}\n`);
            return;
          }
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      const app = render(<WatchApp initial={initial} tail={tail} />);
      await app.waitUntilExit();
    });
}
