import type { NamedValues, Rng } from '@metagrad/core';

/** Checks the settings every evolution-strategies estimator shares; `name` is the estimator's. */
export function checkPerturbationSettings(
  name: string,
  settings: { particles: number; sigma: number },
): void {
  if (!(settings.particles >= 1) || !(settings.sigma > 0))
    throw new RangeError(`${name}: particles must be >= 1 and sigma > 0, got ${JSON.stringify(settings)}`);
}

/**
 * A perturbation ε ~ N(0, σ² I) of every weight, drawn from `rng` weight by weight in order, so that
 * the same stream gives the same ε on every thread and after a resume.
 */
export function drawPerturbation(weights: NamedValues[], sigma: number, rng: Rng): Float32Array[] {
  return weights.map((w) => {
    const epsilon = new Float32Array(w.values.length);
    for (let i = 0; i < epsilon.length; i++) epsilon[i] = sigma * rng.normal();
    return epsilon;
  });
}

/** The weights moved by `sign` · ε (float32, as the weights themselves). */
export function perturbed(weights: NamedValues[], epsilon: Float32Array[], sign: number): NamedValues[] {
  return weights.map((w, k) => ({ ...w, values: w.values.map((v, i) => v + sign * epsilon[k]![i]!) }));
}
