import { type BackendResolution, useBackend } from '@metagrad/core';
import * as tf from '@tensorflow/tfjs';

/**
 * Activates the requested backend for a command; for `auto`, says on stderr which one it picked
 * and why it skipped the others (stdout stays clean for `--json`).
 */
export async function chooseBackend(requested: string): Promise<BackendResolution> {
  const resolution = await useBackend(requested);
  if (resolution.requested === 'auto') {
    const skipped = resolution.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    process.stderr.write(`backend auto: using ${resolution.name}${skipped ? ` (skipped ${skipped})` : ''}\n`);
  }
  return resolution;
}

/**
 * Keeps tfjs's cpu backend from printing its "install our node backend" banner on standard error.
 * Commands validate their settings (sampling a task to measure its size, say) before they choose a
 * backend, so the cpu backend sees the first tensors even on a wasm run; and `metagrad backends`
 * says what each native backend needs, so the banner adds only noise to `--json` and progress lines.
 */
export function quietCpuBackend(): void {
  // The engine makes its own cpu instance when it first needs a backend (replacing any that
  // findBackend made), so ask for that one first.
  void tf.engine().backend;
  const cpu = tf.engine().registry.cpu as { firstUse?: boolean } | undefined;
  if (cpu) cpu.firstUse = false;
}
