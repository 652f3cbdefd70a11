/**
 * Generalised advantage estimation over whole trials (Schulman et al. 2016), as RL² needs: an
 * episode boundary inside a trial does not cut the return, because the agent's memory carries
 * across episodes; only the end of the trial does (the value after it is 0).
 *
 * Inputs are time-major `[T][batch]`; returns advantages and returns in the same layout.
 *
 * @example
 * ```ts
 * const { advantages, returns } = trialGae(rewards, values, 0.99, 0.3);
 * ```
 */
export function trialGae(
  rewards: Float32Array[],
  values: Float32Array[],
  discount: number,
  lambda: number,
): { advantages: Float32Array[]; returns: Float32Array[] } {
  const steps = rewards.length;
  const batch = rewards[0]?.length ?? 0;
  const advantages = Array.from({ length: steps }, () => new Float32Array(batch));
  const returns = Array.from({ length: steps }, () => new Float32Array(batch));
  for (let i = 0; i < batch; i++) {
    let next = 0;
    let nextValue = 0;
    for (let t = steps - 1; t >= 0; t--) {
      const delta = rewards[t]![i]! + discount * nextValue - values[t]![i]!;
      next = delta + discount * lambda * next;
      advantages[t]![i] = next;
      returns[t]![i] = next + values[t]![i]!;
      nextValue = values[t]![i]!;
    }
  }
  return { advantages, returns };
}
