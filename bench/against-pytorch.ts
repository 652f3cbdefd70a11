/**
 * `pnpm bench:pytorch`: metagrad's flagship workloads against their PyTorch twins
 * (bench/pytorch/anchor.py), both on one core, interleaved round by round in one sitting, because
 * this kind of machine drifts by up to 2× within minutes. Prints each round's medians and the
 * median of the per-round ratios (PyTorch's time over metagrad's: above 1, metagrad is faster);
 * writes JSON to bench/results/ (or --out).
 *
 *   pnpm bench:pytorch [-- --rounds 4 --runs 10 --warmup 3 --backend wasm --filter gumbel --out f.json]
 *
 * PyTorch comes from a `python3` that imports torch (METAGRAD_PYTHON, then python3, then
 * /usr/bin/python3: Debian's python3-torch). Without one the script says so and exits 0. PyTorch runs
 * with one torch thread and one BLAS thread; Debian's torch needs libopenblas0-pthread, or it runs
 * on reference BLAS and looks 2–4× slower than it is (the script refuses that anchor).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeRun, kernelArithmetic, useBackend, writeFileAtomic } from '@metagrad/core';
import { quantile, timeRuns } from './time-runs.js';
import { ALL_WORKLOADS } from './workloads/all.js';

/** metagrad's workload and the name of its twin in anchor.py. */
const PAIRS = [
  ['core/gumbel-softmax-fwd-bwd-4096x64', 'gumbel'],
  ['core/gumbel-softmax-hard-fwd-bwd-4096x64', 'gumbel-hard'],
  ['optimizers/quadratic-meta-step-128x10-unroll20', 'meta-step'],
  ['rl/ppo-update-bandit-n100-k5-128-trials', 'ppo'],
  ['rl/trpo-step-mdp-n10-128-trials', 'trpo'],
  ['rl/rollout-bandit-n100-k5', 'rollout'],
] as const;

const ANCHOR = join(dirname(fileURLToPath(import.meta.url)), 'pytorch', 'anchor.py');

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function options() {
  const args = process.argv.slice(2);
  try {
    return parseArgs({
      args: args[0] === '--' ? args.slice(1) : args,
      options: {
        rounds: { type: 'string', default: '4' },
        runs: { type: 'string', default: '10' },
        warmup: { type: 'string', default: '3' },
        backend: { type: 'string', default: 'wasm' },
        filter: { type: 'string' },
        out: { type: 'string' },
      },
    }).values;
  } catch (error) {
    fail(`${(error as Error).message} (options: --rounds, --runs, --warmup, --backend, --filter, --out)`);
  }
}

function count(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) fail(`invalid --${name}: ${value} (expected an integer >= ${min})`);
  return n;
}

/** The first Python that imports torch, with its version and BLAS library, or why there is none. */
function findPython(): { python: string; torch: string; blas: string } | string {
  const candidates = [process.env.METAGRAD_PYTHON, 'python3', '/usr/bin/python3'].filter(
    (p): p is string => !!p,
  );
  const probe =
    'import torch, re; torch.ones(2) @ torch.ones(2); maps = open("/proc/self/maps").read(); ' +
    'libs = sorted(set(re.findall(r"lib(openblas|blas|mkl_rt|blis)[^/\\s]*\\.so", maps))); ' +
    'print(torch.__version__, ",".join(libs) or "unknown")';
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', probe], { encoding: 'utf8' });
    if (r.status === 0) {
      const [torch, blas] = r.stdout.trim().split(' ');
      return { python, torch: torch!, blas: blas! };
    }
  }
  return `no python with torch among ${candidates.join(', ')} (Debian: apt-get install python3-torch libopenblas0-pthread)`;
}

const values = options();
const rounds = count('rounds', values.rounds, 1);
const runs = count('runs', values.runs, 1);
const warmup = count('warmup', values.warmup, 0);
const anchor = findPython();
if (typeof anchor === 'string') {
  console.log(`skipped: ${anchor}`);
  process.exit(0);
}
if (!anchor.blas.includes('openblas') && !anchor.blas.includes('mkl'))
  fail(
    `PyTorch ${anchor.torch} at ${anchor.python} runs on BLAS "${anchor.blas}", not OpenBLAS or MKL: an unfair anchor (apt-get install libopenblas0-pthread)`,
  );
const pattern = values.filter === undefined ? undefined : new RegExp(values.filter);
const pairs = PAIRS.filter(([name]) => !pattern || pattern.test(name));
if (pairs.length === 0)
  fail(`invalid --filter: ${values.filter} (matches no workload of ${PAIRS.map(([n]) => n).join(', ')})`);

const { detail } = await useBackend(values.backend);
console.log(
  `metagrad on ${values.backend} (${detail}; kernels: ${kernelArithmetic()}); PyTorch ${anchor.torch} (${anchor.blas}) at ${anchor.python}, one thread`,
);

interface Round {
  metagradMs: number;
  pytorchMs: number;
  /** PyTorch's time over metagrad's. */
  ratio: number;
}
const table = new Map<string, Round[]>(pairs.map(([name]) => [name, []]));

for (let round = 1; round <= rounds; round++) {
  for (const [name, twin] of pairs) {
    const workload = ALL_WORKLOADS.find((w) => w.name === name)!;
    const state = await workload.setup();
    const metagradMs = quantile(await timeRuns(workload, state, runs, warmup), 0.5);
    workload.teardown(state);
    const line = execFileSync(
      anchor.python,
      [ANCHOR, '--workloads', twin, '--runs', String(runs), '--warmup', String(warmup)],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' } },
    );
    const pytorchMs = (JSON.parse(line.trim().split('\n').at(-1)!) as { medianMs: number }).medianMs;
    table.get(name)!.push({ metagradMs, pytorchMs, ratio: pytorchMs / metagradMs });
    console.log(
      `round ${round}  ${name.padEnd(48)} metagrad ${metagradMs.toFixed(2).padStart(8)} ms  PyTorch ${pytorchMs.toFixed(2).padStart(8)} ms  ${(pytorchMs / metagradMs).toFixed(2)}×`,
    );
  }
}

const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5,
  );
const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
console.log(
  '\nworkload                                          metagrad ms   PyTorch ms   ratio per round      median ratio',
);
const summary = pairs.map(([name]) => {
  const rows = table.get(name)!;
  const ratios = rows.map((r) => r.ratio);
  console.log(
    `${name.padEnd(48)} ${range(rows.map((r) => r.metagradMs)).padStart(12)} ${range(rows.map((r) => r.pytorchMs)).padStart(12)}   ${ratios
      .map((r) => r.toFixed(2))
      .join(' ')
      .padEnd(20)} ${median(ratios).toFixed(2)}×`,
  );
  return { workload: name, rounds: rows, medianRatio: median(ratios) };
});

const out =
  values.out ??
  join('bench', 'results', `against-pytorch-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileAtomic(
  out,
  `${JSON.stringify({ machine: { cpu: cpus()[0]?.model, cores: cpus().length }, run: describeRun(), pytorch: anchor, backend: values.backend, runs, warmup, summary }, null, 2)}\n`,
);
console.log(`\nwrote ${out}`);
