import { ConfigError, type Rng } from '@metagrad/core';
import type { TaskFamilySpec } from './family-spec.js';
import type { Task, TaskFamily } from './task.js';

/**
 * A task distribution over several families (say, MLPs of different widths, depths and
 * activations), so that one meta-training run spans them: each task comes from one component,
 * chosen uniformly from the task's own stream, so the same stream gives the same component.
 *
 * @example
 * ```ts
 * const family = new TaskMixture([new MlpFamily(digits, { hidden: [20] }), new MlpFamily(digits, { hidden: [40] })]);
 * ```
 */
export class TaskMixture implements TaskFamily {
  readonly name: string;
  /** What another thread needs to rebuild the mixture: present when every component has one. */
  readonly spec?: () => TaskFamilySpec;

  constructor(readonly components: TaskFamily[]) {
    if (components.length === 0) throw new ConfigError('components', components, 'a mixture needs a family');
    this.name = `mixture(${components.map((c) => c.name).join(', ')})`;
    if (components.every((c) => typeof c.spec === 'function'))
      this.spec = () => ({ family: 'mixture', components: components.map((c) => c.spec!()) });
  }

  sample(rng: Rng, numInstances: number): Task {
    const component = this.components[rng.child('component').int(this.components.length)]!;
    return component.sample(rng.child('task'), numInstances);
  }

  describe(): Record<string, unknown> {
    return { family: 'mixture', components: this.components.map((c) => c.describe()) };
  }

  dispose(): void {
    for (const component of this.components) component.dispose();
  }
}

/** The families a validation or size check must cover: a mixture's components, or the family itself. */
export function componentsOf(family: TaskFamily): TaskFamily[] {
  return family instanceof TaskMixture ? family.components : [family];
}
