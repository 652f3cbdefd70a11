import {
  type AdapterInfo,
  describeAdapter,
  NO_ADAPTER,
  type WebGpuAdapterChoice,
} from '../backend/webgpu-adapter-choice.js';

interface BrowserGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<{ info?: AdapterInfo } | null>;
}

/** A browser's own WebGPU: `navigator.gpu` in a page or a Web Worker. */
export async function findBrowserAdapter(): Promise<WebGpuAdapterChoice> {
  const gpu = (globalThis as { navigator?: { gpu?: BrowserGpu } }).navigator?.gpu;
  const adapter = await gpu?.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter)
    throw new Error(
      `${NO_ADAPTER}: this browser ${gpu ? 'offers WebGPU but no adapter (blocklisted or disabled GPU)' : 'has no WebGPU (navigator.gpu)'}`,
    );
  return describeAdapter(adapter, 'browser');
}
