import type { PlaygroundBackend } from './protocol.js';

/** A module using one SIMD instruction: `WebAssembly.validate` accepts it only where SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98,
  11,
]);

/**
 * The backends this browser can train on, best first, and what is missing when one is not there:
 * WebGPU needs `navigator.gpu` with an adapter, wasm needs WebAssembly with SIMD, and both need
 * Web Workers (training runs in one, so that the page stays responsive).
 */
export async function supportedBackends(): Promise<{ backends: PlaygroundBackend[]; problem?: string }> {
  if (typeof Worker === 'undefined')
    return { backends: [], problem: 'This browser has no Web Workers, which the playground trains in.' };
  const backends: PlaygroundBackend[] = [];
  const missing: string[] = [];
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  let adapter: unknown = null;
  try {
    adapter = (await gpu?.requestAdapter()) ?? null;
  } catch {
    adapter = null;
  }
  if (adapter) backends.push('webgpu');
  else missing.push(gpu ? 'WebGPU is present but offers no GPU adapter' : 'this browser has no WebGPU');
  const simd = typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  if (simd) backends.push('wasm');
  else missing.push(typeof WebAssembly === 'object' ? 'its WebAssembly lacks SIMD' : 'it has no WebAssembly');
  if (backends.length === 0)
    return {
      backends,
      problem: `The playground cannot train here: ${missing.join(', and ')}. A current Chrome, Edge, Firefox or Safari has both.`,
    };
  return backends.includes('webgpu')
    ? { backends }
    : { backends, problem: `Training on the CPU (wasm): ${missing[0]}.` };
}
