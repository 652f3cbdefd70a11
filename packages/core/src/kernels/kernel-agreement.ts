/**
 * max |a − b| / max(1, max |b|): the disagreement of a fused kernel's result `a` with its composite
 * reference `b`, relative to the reference's scale (so entries near zero do not blow it up). The
 * ops' tests require it below 1e-5 in float32.
 */
export function maxScaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 1;
  let worst = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst / scale;
}
