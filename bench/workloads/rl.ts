import { type KernelChoice, type NamedValues, Rng } from '@metagrad/core';
import {
  BernoulliBandit,
  collectTrials,
  type Env,
  type GruPolicy,
  type GruWeights,
  gruSequence,
  PpoGradientRunner,
  type Rl2ConfigInput,
  Rl2Trainer,
  type Rollout,
  rl2InputSize,
  TabularMdp,
  TrpoRunner,
  trialGae,
} from '@metagrad/rl';
import * as tf from '@tensorflow/tfjs';
import { STEADY_STATE_WARMUP, type Workload, withWorkers } from '../workload.js';
import { BATCH, HIDDEN, policyFor } from './rl-agent.js';

/** `hostStep: false` (the `-tensors` variant) steps the policy's tensors, the reference for the host step. */
function rolloutWorkload(
  name: string,
  env: Env,
  episodes: number,
  hostStep = true,
): Workload<{ policy: GruPolicy; i: number }> {
  const steps = episodes * env.episodeLength;
  return {
    name: `${name}${hostStep ? '' : '-tensors'}`,
    description: `${BATCH} trials × ${steps} steps with the 64-unit GRU agent in the loop (${hostStep ? 'stepped on the host' : 'stepping its tensors'})`,
    runs: 5,
    setup: () => ({ policy: policyFor(env), i: 0 }),
    run: async (state) => {
      const r = new Rng(state.i++);
      await collectTrials(state.policy, env, {
        batch: BATCH,
        episodes,
        taskRng: r.child('t'),
        actionRng: r.child('a'),
        outcomeRng: r.child('o'),
        hostStep,
      });
    },
    teardown: ({ policy }) => policy.dispose(),
    metrics: (medianMs) => ({ environmentStepsPerSecond: (BATCH * steps) / (medianMs / 1000) }),
  };
}

interface PpoState {
  policy: GruPolicy;
  rollout: Rollout;
  advantages: Float32Array[];
  returns: Float32Array[];
  optimizer: tf.AdamOptimizer;
  runner: PpoGradientRunner;
}

/**
 * One PPO gradient step over 128 whole trials (BPTT through the trial) on bandits with n = 100,
 * k = 5, with the GRU op on `kernels` (the default name runs `auto`). `batch` below 128 (the
 * `-half` variant) is one of two workers' shares, timed on this thread.
 */
function ppoUpdate(kernels: KernelChoice, suffix = '', workers = 1, batch = BATCH): Workload<PpoState> {
  return {
    name: `rl/ppo-update-bandit-n100-k5-128-trials${suffix}`,
    description: `one clipped-PPO gradient step with BPTT over ${batch} trials of 100 steps (${kernels} kernels, ${workers} worker(s))`,
    ...withWorkers(workers, kernels === 'auto' ? STEADY_STATE_WARMUP : undefined),
    runs: 5,
    setup: async () => {
      const env = new BernoulliBandit(5);
      const policy = policyFor(env);
      policy.kernels = kernels;
      const r = new Rng('ppo');
      const rollout = await collectTrials(policy, env, {
        batch,
        episodes: 100,
        taskRng: r.child('t'),
        actionRng: r.child('a'),
        outcomeRng: r.child('o'),
      });
      // Advantages once, as the PyTorch twin has them: the step is the gradient and the update.
      const { advantages, returns } = trialGae(rollout.rewards, rollout.values, 0.99, 0.3);
      const optimizer = tf.train.adam(1e-3);
      return { policy, rollout, advantages, returns, optimizer, runner: new PpoGradientRunner(workers) };
    },
    run: async ({ policy, rollout, advantages, returns, optimizer, runner }) => {
      const trials = Array.from({ length: batch }, (_, i) => i);
      const { grads, ...terms } = await runner.gradients(
        policy,
        { rollout, trials, advantages, returns },
        { clip: 0.2, valueCoefficient: 0.5, entropyCoefficient: 0.01 },
        { policy: true, value: true },
      );
      optimizer.applyGradients(grads as Record<string, tf.Variable>);
      await terms.total.data();
      tf.dispose([...Object.values(grads), ...Object.values(terms)]);
    },
    teardown: ({ policy, optimizer, runner }) => {
      policy.dispose();
      optimizer.dispose();
      void runner.dispose();
    },
  };
}

interface TrpoState {
  policy: GruPolicy;
  rollout: Rollout;
  advantages: Float32Array[];
  weights: NamedValues[];
  runner: TrpoRunner;
}

/**
 * One TRPO policy step (gradient, 10 conjugate-gradient iterations on Fisher-vector products over
 * a fifth of the trials, line search) over 128 whole MDP trials of 10 episodes; the weights are
 * put back after each run, so every run takes the same step. `batch` below 128 (the `-half`
 * variant) is one of two workers' shares, timed on this thread.
 */
function trpoUpdate(workers: number, batch = BATCH): Workload<TrpoState> {
  const suffix = batch < BATCH ? '-half' : workers > 1 ? `-${workers}workers` : '';
  return {
    name: `rl/trpo-step-mdp-n10-128-trials${suffix}`,
    description: `one TRPO step over ${batch} MDP trials of 100 steps (64 units, fused kernels, Fisher on 20 % of the trials, ${workers} worker(s))`,
    // A step is about six meta-steps long: a fifth of their warm-up is as much time.
    ...withWorkers(workers, STEADY_STATE_WARMUP / 5),
    runs: 5,
    setup: async () => {
      const env = new TabularMdp();
      const policy = policyFor(env);
      const r = new Rng('trpo');
      const rollout = await collectTrials(policy, env, {
        batch,
        episodes: 10,
        taskRng: r.child('t'),
        actionRng: r.child('a'),
        outcomeRng: r.child('o'),
      });
      const { advantages } = trialGae(rollout.rewards, rollout.values, 0.99, 0.8);
      return {
        policy,
        rollout,
        advantages,
        weights: await policy.weightValues(),
        runner: new TrpoRunner(workers),
      };
    },
    run: async ({ policy, rollout, advantages, weights, runner }) => {
      const fisherTrials = Array.from({ length: Math.floor(batch / 5) }, (_, i) => 5 * i);
      const settings = {
        maxKl: 0.01,
        cgIterations: 10,
        cgDamping: 0.01,
        backtracks: 15,
        backtrackRatio: 0.8,
      };
      await runner.step(policy, { rollout, advantages, fisherTrials }, settings);
      policy.setWeightValues(weights);
    },
    teardown: ({ policy, runner }) => {
      policy.dispose();
      void runner.dispose();
    },
  };
}

interface TimeToTarget {
  seconds: number;
  iterations: number;
  best: number;
}

/**
 * On demand: wall time of RL² training with `config` until the held-out evaluation (the trainer's
 * own, `evalTrials` fixed trials) reaches `target`; NaN seconds if `iterations` run out first.
 */
function timeToTarget(name: string, target: number, config: Rl2ConfigInput): Workload<TimeToTarget> {
  return {
    name,
    description: `RL² training wall time until held-out mean reward >= ${target}`,
    onDemand: true,
    runs: 1,
    setup: () => ({ seconds: Number.NaN, iterations: 0, best: Number.NaN }),
    run: async (state) => {
      const started = performance.now();
      const trainer: Rl2Trainer = new Rl2Trainer({
        config,
        events: {
          emit: (e) => {
            if (e.type === 'evaluation') {
              state.best = Number.isNaN(state.best) ? e.value : Math.max(state.best, e.value);
              state.iterations = e.step;
              if (e.value >= target) {
                state.seconds = (performance.now() - started) / 1000;
                trainer.stop();
              }
            }
          },
        },
      });
      await trainer.train();
      trainer.dispose();
    },
    teardown: () => {},
    metrics: (_, state) => ({
      secondsToTarget: state.seconds,
      iterations: state.iterations,
      bestHeldOut: state.best,
      target,
    }),
  };
}

interface SequenceState {
  inputs: tf.Tensor3D;
  h0: tf.Tensor2D;
  weights: Record<string, tf.Tensor>;
}

/**
 * The GRU over 128 whole trials of 100 steps (64 units, bandit inputs), forward and every gradient,
 * on `kernels` (the default name runs `auto`).
 */
const gruSequenceWorkload = (kernels: KernelChoice, suffix = ''): Workload<SequenceState> => ({
  name: `rl/gru-sequence-fwd-bwd-100x128${suffix}`,
  description: `gruSequence (64 units) forward + BPTT over 100 steps × 128 trials, ${kernels} kernels`,
  runs: 5,
  setup: () => {
    const r = new Rng('gru-sequence');
    const [steps, inputSize, hidden] = [100, rl2InputSize(0, 5), HIDDEN];
    const weights: Record<string, tf.Tensor> = {};
    for (const g of ['z', 'r', 'n']) {
      weights[`W${g}`] = r.normalTensor([inputSize, hidden], 0, 0.3);
      weights[`U${g}`] = r.normalTensor([hidden, hidden], 0, 0.3);
      weights[`b${g}`] = r.normalTensor([hidden], 0, 0.1);
    }
    return {
      inputs: r.normalTensor([steps, BATCH, inputSize]) as tf.Tensor3D,
      h0: tf.zeros([BATCH, hidden]) as tf.Tensor2D,
      weights,
    };
  },
  run: async ({ inputs, h0, weights }) => {
    const names = Object.keys(weights);
    const grads = tf.grads((...xs: tf.Tensor[]) => {
      const w = Object.fromEntries(names.map((n, i) => [n, xs[i]!])) as unknown as GruWeights;
      return tf.sum(gruSequence(inputs, h0, w, kernels)) as tf.Scalar;
    })(names.map((n) => weights[n]!));
    await Promise.all(grads.map((g) => g.data()));
    tf.dispose(grads);
  },
  teardown: ({ inputs, h0, weights }) => tf.dispose([inputs, h0, ...Object.values(weights)]),
});

export const rlWorkloads: Workload[] = [
  gruSequenceWorkload('auto') as Workload,
  gruSequenceWorkload('composite', '-composite') as Workload,
  rolloutWorkload('rl/rollout-bandit-n100-k5', new BernoulliBandit(5), 100) as Workload,
  rolloutWorkload('rl/rollout-bandit-n100-k5', new BernoulliBandit(5), 100, false) as Workload,
  rolloutWorkload('rl/rollout-mdp-n10', new TabularMdp(), 10) as Workload,
  rolloutWorkload('rl/rollout-mdp-n10', new TabularMdp(), 10, false) as Workload,
  ppoUpdate('auto') as Workload,
  ppoUpdate('composite', '-composite') as Workload,
  ppoUpdate('auto', '-2workers', 2) as Workload,
  ppoUpdate('auto', '-half', 1, BATCH / 2) as Workload,
  trpoUpdate(1) as Workload,
  trpoUpdate(2) as Workload,
  trpoUpdate(1, BATCH / 2) as Workload,
  timeToTarget('rl/time-to-target-bandit-n10-k5', 6.6, {
    env: 'bandit',
    arms: 5,
    episodes: 10,
    iterations: 1000,
    evalEvery: 10,
  }) as Workload,
  // The README's n = 100 recipe: a separate value network, GAE λ = 0.8, 1024 trials per iteration.
  timeToTarget('rl/time-to-target-bandit-n100-k5', 77, {
    env: 'bandit',
    arms: 5,
    episodes: 100,
    iterations: 240,
    batch: 1024,
    minibatches: 8,
    valueNetwork: 'separate',
    gaeLambda: 0.8,
    learningRateSchedule: 'linear',
    evalEvery: 10,
  }) as Workload,
];
