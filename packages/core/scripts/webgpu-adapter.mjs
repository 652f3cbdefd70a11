// Prints the WebGPU adapter metagrad would use, or why there is none (exit 1). CI runs it (with
// tsx's loader: node --import tsx) to decide whether to install Mesa's software adapter first.
import { findWebGpuAdapter } from '../src/backend/webgpu-adapter.ts';

try {
  const { kind, description, via } = await findWebGpuAdapter();
  console.log(`webgpu adapter: ${kind}, ${description} (${via})`);
} catch (error) {
  console.log(`webgpu adapter: none (${error.message})`);
  process.exitCode = 1;
}
