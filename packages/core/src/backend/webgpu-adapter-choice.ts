/** The WebGPU adapter metagrad found, and what kind it is. */
export interface WebGpuAdapterChoice {
  /** The adapter (a browser's own `GPUAdapter`, or under Node one of the npm `webgpu` package, Dawn). */
  adapter: unknown;
  /** `hardware`: a real GPU; `software`: a CPU rasteriser such as llvmpipe (a correctness path, slow). */
  kind: 'hardware' | 'software';
  /** The adapter in words, e.g. `llvmpipe-llvm-15 (OpenGL ES 3.2 Mesa 22.3.6)`. */
  description: string;
  /**
   * How it was reached: a browser's `navigator.gpu`, or under Node Dawn's default backend (Vulkan on
   * Linux) or OpenGL ES in compatibility mode.
   */
  via: 'browser' | 'default' | 'opengles-compatibility';
  /** The adapter's vendor and architecture as WebGPU reports them (empty when it does not). */
  vendor: string;
  architecture: string;
}

/** What Debian and Ubuntu need for a software adapter without a GPU (see the README). */
export const WEBGPU_SYSTEM_PACKAGES = 'mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgles2';

/** How the search's failure begins. */
export const NO_ADAPTER = 'no WebGPU adapter';

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

/** What WebGPU says of an adapter (`GPUAdapter.info`). */
export interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

/** A found adapter, described and classed as hardware or software. */
export function describeAdapter(
  adapter: { info?: AdapterInfo },
  via: WebGpuAdapterChoice['via'],
): WebGpuAdapterChoice {
  const info = adapter.info ?? {};
  const names = [info.device, info.description, info.vendor, info.architecture].filter((s) => s);
  const description = names.join(' / ') || 'unnamed adapter';
  const software = info.isFallbackAdapter === true || SOFTWARE.test(description);
  return {
    adapter,
    kind: software ? 'software' : 'hardware',
    description,
    via,
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
  };
}
