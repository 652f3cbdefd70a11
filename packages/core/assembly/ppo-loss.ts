// The clipped-surrogate PPO loss of a policy head and a value head, row by row, with its gradient
// in the heads' outputs: what the composite computes with about thirty tfjs ops over [R × A].

@inline
function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/**
 * Rows of y `[R × (A + 1)]` hold A logits then a value, before the bias `[A + 1]` is added. For
 * each row: log π = logits − logsumexp, the ratio π(a)/π_old(a) = exp(log π(a) − oldLogProb), the
 * clipped surrogate min(ratio·adv, clip(ratio, 1 ± clip)·adv), the entropy −Σ π log π, and the
 * squared value error. Writes dy (same layout) = scale · ∂(−surrogate + c_v·error² − c_e·entropy)
 * with only the policy terms (policy ≠ 0) or the value term (value ≠ 0) differentiated, and adds
 * the rows' −surrogate, error² and entropy to sums[0…2] (in float64, stored as float32).
 */
export function ppoLossRows(
  rows: i32,
  actions: i32,
  y: usize,
  bias: usize,
  chosen: usize,
  oldLogProbs: usize,
  advantages: usize,
  returns: usize,
  clip: f32,
  valueCoefficient: f32,
  entropyCoefficient: f32,
  scale: f32,
  policy: i32,
  value: i32,
  dy: usize,
  sums: usize,
): void {
  const width = actions + 1;
  let policySum: f64 = 0;
  let valueSum: f64 = 0;
  let entropySum: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const yr = at(y, r * width);
    const dr = at(dy, r * width);
    let top: f32 = -Infinity;
    for (let j = 0; j < actions; j++) top = max(top, load<f32>(at(yr, j)) + load<f32>(at(bias, j)));
    // dy's row holds e^(z − top) until the gradient overwrites it: one exp per logit.
    let total: f32 = 0;
    for (let j = 0; j < actions; j++) {
      const e = Mathf.exp(load<f32>(at(yr, j)) + load<f32>(at(bias, j)) - top);
      store<f32>(at(dr, j), e);
      total += e;
    }
    const logTotal = Mathf.log(total) + top;
    const inverseTotal: f32 = 1 / total;
    // Entropy first: the gradient of each logit needs it.
    let entropy: f32 = 0;
    for (let j = 0; j < actions; j++) {
      const logP = load<f32>(at(yr, j)) + load<f32>(at(bias, j)) - logTotal;
      entropy -= load<f32>(at(dr, j)) * inverseTotal * logP;
    }
    const action = <i32>load<f32>(at(chosen, r));
    const logPa = load<f32>(at(yr, action)) + load<f32>(at(bias, action)) - logTotal;
    const advantage = load<f32>(at(advantages, r));
    const ratio = Mathf.exp(logPa - load<f32>(at(oldLogProbs, r)));
    const unclipped = ratio * advantage;
    const clipped = min(max(ratio, 1 - clip), 1 + clip) * advantage;
    policySum -= <f64>min(unclipped, clipped);
    entropySum += <f64>entropy;
    // The surrogate's gradient flows only where the unclipped term is the minimum.
    const dLogP: f32 = unclipped <= clipped ? -unclipped : 0;
    for (let j = 0; j < actions; j++) {
      const logP = load<f32>(at(yr, j)) + load<f32>(at(bias, j)) - logTotal;
      const p = load<f32>(at(dr, j)) * inverseTotal;
      const d = dLogP * ((j == action ? <f32>1 : 0) - p) + entropyCoefficient * p * (logP + entropy);
      store<f32>(at(dr, j), policy ? d * scale : 0);
    }
    const error = load<f32>(at(yr, actions)) + load<f32>(at(bias, actions)) - load<f32>(at(returns, r));
    valueSum += <f64>(error * error);
    store<f32>(at(dr, actions), value ? error * (2 * valueCoefficient * scale) : 0);
  }
  store<f32>(sums, <f32>policySum);
  store<f32>(sums + 4, <f32>valueSum);
  store<f32>(sums + 8, <f32>entropySum);
}
