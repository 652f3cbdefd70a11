// How far above Gittins can any bandit agent be? The exact expected totals (no sampling noise) of the
// Bayes-optimal policy, the finite-horizon Gittins index policy, and Gittins at every discount its
// tuning tries, on Bernoulli bandits with U[0, 1] arms, for trials short enough to plan exactly.
//
//   node examples/bandit-ceiling.mjs [pulls ...] [--arms K]
//
// Default: 10 and 20 pulls of 5 arms (a few seconds); 30 pulls takes a minute or two.
import {
  BernoulliBandit,
  baselineCandidates,
  bayesOptimalValue,
  FiniteHorizonGittinsTable,
  GittinsTable,
  indexPolicyValue,
  MAX_BAYES_OPTIMAL_PULLS,
} from '@metagrad/rl';

const args = process.argv.slice(2);
const armsAt = args.indexOf('--arms');
const arms = armsAt >= 0 ? Number(args[armsAt + 1]) : 5;
const horizons = args.filter((_, i) => armsAt < 0 || (i !== armsAt && i !== armsAt + 1)).map(Number);
if (!Number.isInteger(arms) || arms < 1) {
  console.error(`bandit-ceiling: --arms must be a positive integer, got ${args[armsAt + 1]}`);
  process.exit(2);
}
for (const pulls of horizons)
  if (!Number.isInteger(pulls) || pulls < 1 || pulls > MAX_BAYES_OPTIMAL_PULLS) {
    console.error(
      `bandit-ceiling: pulls must be whole numbers in 1…${MAX_BAYES_OPTIMAL_PULLS}, got ${pulls}`,
    );
    process.exit(2);
  }

for (const pulls of horizons.length > 0 ? horizons : [10, 20]) {
  const optimum = bayesOptimalValue(pulls, arms);
  const finite = new FiniteHorizonGittinsTable(pulls);
  console.log(`${pulls} pulls of ${arms} arms (exact expected totals)`);
  console.log(`  bayes-optimal            ${optimum.toFixed(4)}`);
  const fh = indexPolicyValue(pulls, arms, (s, f, left) => finite.index(s, f, left));
  console.log(
    `  finite-horizon-gittins   ${fh.toFixed(4)}  (optimum − it: ${Math.max(0, optimum - fh).toFixed(4)})`,
  );
  let best = -Infinity;
  for (const { discount } of baselineCandidates(new BernoulliBandit(arms), 'gittins', pulls)) {
    const table = new GittinsTable(discount, pulls);
    const value = indexPolicyValue(pulls, arms, (s, f) => table.index(1 + s, 1 + f));
    best = Math.max(best, value);
    console.log(`  gittins γ = ${String(discount).padEnd(11)} ${value.toFixed(4)}`);
  }
  console.log(`  optimum − the best Gittins: ${(optimum - best).toFixed(4)}`);
}
