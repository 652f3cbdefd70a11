/**
 * TensorBoard's debiased exponential moving average: s_t = (w·m_{t−1} + (1−w)·y_t) / (1 − wᵗ), which
 * removes the pull towards 0 that a plain EMA started at 0 has. Non-finite values pass through.
 */
export function debiasedEma(values: number[], weight: number): number[] {
  let last = 0;
  let count = 0;
  return values.map((y) => {
    if (!Number.isFinite(y)) return y;
    last = last * weight + (1 - weight) * y;
    count++;
    return weight === 0 ? y : last / (1 - weight ** count);
  });
}
