import { type MeanAndStandardError, meanAndStandardError } from '@metagrad/core';
import { bestValue, type GroupDifference, groupDifference, type SettingGroup } from './seed-groups.js';

/** One optimizer's test score across a group's seeds (from comparison.json). */
export interface TestRow extends MeanAndStandardError {
  optimizer: string;
  /** The learned optimizer minus this one, seed by seed on each run's shared test tasks. */
  learnedMinusThis?: MeanAndStandardError;
}

/** One setting's numbers across seeds. */
export interface GroupComparison {
  label: string;
  runs: string[];
  seeds: string[];
  /** The objective (validation split) and its best value per run, across runs. */
  objective: { name: string; higherIsBetter: boolean } | null;
  best: MeanAndStandardError;
  /** This group's best minus the first group's. */
  versusFirst?: GroupDifference;
  /** Test-split log10 final loss per optimizer, where the runs have comparison.json. */
  test?: TestRow[];
}

/** The learned optimizer's name in comparison.json rows. */
const LEARNED = /^l2l-/;

/**
 * `runs compare`'s numbers: for each setting, the best held-out value over seeds (mean ± standard
 * error), its difference from the first setting (paired where the runs share evaluation tasks), and
 * for finished l2l runs the test-split score of every optimizer with the learned optimizer's paired
 * advantage (each run scores all optimizers on the same test tasks).
 */
export function compareRunGroups(groups: SettingGroup[]): GroupComparison[] {
  return groups.map((group, g) => {
    const comparison: GroupComparison = {
      label: group.label,
      runs: group.runs.map((r) => r.dir),
      seeds: group.runs.map((r) => r.seed),
      objective: group.runs[0]!.objective,
      best: meanAndStandardError(group.runs.map(bestValue)),
    };
    if (g > 0) comparison.versusFirst = groupDifference(group, groups[0]!, bestValue);
    if (group.runs.every((run) => run.comparison)) comparison.test = testRows(group);
    return comparison;
  });
}

function testRows(group: SettingGroup): TestRow[] {
  const scores = (optimizer: string) =>
    group.runs.map(
      (run) => run.comparison!.rows.find((r) => r.optimizer === optimizer)?.log10FinalLoss ?? NaN,
    );
  const names = group.runs[0]!.comparison!.rows.map((r) => r.optimizer);
  const learned = names.find((name) => LEARNED.test(name));
  return names.map((optimizer) => {
    const row: TestRow = { optimizer, ...meanAndStandardError(scores(optimizer)) };
    if (learned && optimizer !== learned) {
      const mine = scores(learned);
      const theirs = scores(optimizer);
      row.learnedMinusThis = meanAndStandardError(mine.map((v, i) => v - theirs[i]!));
    }
    return row;
  });
}

const pm = (m: MeanAndStandardError) =>
  Number.isFinite(m.stderr) ? `${m.mean.toFixed(3)} ± ${m.stderr.toFixed(3)}` : m.mean.toFixed(3);

/** The comparison as plain-text tables. */
export function formatRunComparison(groups: GroupComparison[]): string {
  const objective = groups[0]?.objective;
  const direction = objective ? (objective.higherIsBetter ? 'higher is better' : 'lower is better') : '';
  const lines = [
    `best ${objective?.name ?? 'held-out value'} per run (validation split; ${direction}), mean ± standard error over seeds`,
    `${'setting'.padEnd(28)} ${'seeds'.padEnd(12)} ${'best'.padStart(18)}   vs ${groups[0]?.label ?? ''}`,
  ];
  for (const g of groups) {
    const versus = g.versusFirst ? `${pm(g.versusFirst)} (${g.versusFirst.method})` : '';
    lines.push(
      `${g.label.padEnd(28)} ${g.seeds.join(',').padEnd(12)} ${pm(g.best).padStart(18)}   ${versus}`,
    );
  }
  const tested = groups.filter((g) => g.test);
  if (tested.length > 0) {
    lines.push(
      '',
      'log10 final loss on the test split (comparison.json), mean ± standard error over seeds',
      `${'setting'.padEnd(28)} ${'optimizer'.padEnd(10)} ${'test'.padStart(18)}   learned − this (paired)`,
    );
    for (const g of tested) {
      g.test!.forEach((row, i) => {
        const label = i === 0 ? g.label : '';
        const paired = row.learnedMinusThis ? pm(row.learnedMinusThis) : '';
        lines.push(`${label.padEnd(28)} ${row.optimizer.padEnd(10)} ${pm(row).padStart(18)}   ${paired}`);
      });
    }
  }
  return `${lines.join('\n')}\n`;
}
