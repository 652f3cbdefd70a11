import { type BackendResolution, useBackend } from '@metagrad/core';

/**
 * Activates the requested backend for a command (every command reads losses synchronously, so not
 * webgpu); for `auto`, says on stderr which one it picked and why it skipped the others (stdout
 * stays clean for `--json`).
 */
export async function chooseBackend(requested: string): Promise<BackendResolution> {
  const resolution = await useBackend(requested, { synchronousReads: true });
  if (resolution.requested === 'auto') {
    const skipped = resolution.skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    process.stderr.write(`backend auto: using ${resolution.name}${skipped ? ` (skipped ${skipped})` : ''}\n`);
  }
  return resolution;
}
