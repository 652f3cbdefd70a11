/** The WebGPU adapter metagrad found, and what kind it is. */
export interface WebGpuAdapterChoice {
  /** The adapter (a `GPUAdapter` of the npm `webgpu` package, Dawn). */
  adapter: unknown;
  /** `hardware`: a real GPU; `software`: a CPU rasteriser such as llvmpipe (a correctness path, slow). */
  kind: 'hardware' | 'software';
  /** The adapter in words, e.g. `llvmpipe-llvm-15 (OpenGL ES 3.2 Mesa 22.3.6)`. */
  description: string;
  /** How Dawn reached it: its default backend (Vulkan on Linux), or OpenGL ES in compatibility mode. */
  via: 'default' | 'opengles-compatibility';
  /** The adapter's vendor and architecture as WebGPU reports them (empty when it does not). */
  vendor: string;
  architecture: string;
}

/** What Debian and Ubuntu need for a software adapter without a GPU (see the README). */
export const WEBGPU_SYSTEM_PACKAGES = 'mesa-vulkan-drivers libvulkan1 libegl1 libegl-mesa0 libgles2';

/** How the search's failure begins. */
export const NO_ADAPTER = 'no WebGPU adapter';

const SOFTWARE = /llvmpipe|lavapipe|softpipe|swiftshader|software|microsoft basic render/i;

interface AdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}

interface DawnGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<{ info?: AdapterInfo } | null>;
}

let found: Promise<WebGpuAdapterChoice> | undefined;
/** Dawn instances stay referenced for the process's life: collecting one crashes its adapters' users. */
const instances: DawnGpu[] = [];

/**
 * Finds a WebGPU adapter through the npm `webgpu` package (Dawn, its binary inside the package):
 * first Dawn's default backend (Vulkan on Linux, where real GPUs are), then OpenGL ES in
 * compatibility mode (which reaches Mesa's llvmpipe on a machine without a GPU; Dawn rejects the
 * Vulkan lavapipe adapter). Installs the WebGPU globals tfjs needs. The search runs once per
 * process; a failure says what was tried and what to install.
 */
export function findWebGpuAdapter(): Promise<WebGpuAdapterChoice> {
  found ??= search();
  return found;
}

async function search(): Promise<WebGpuAdapterChoice> {
  const { create, globals } = (await import(/* optional */ 'webgpu' as string)) as {
    create: (options: string[]) => DawnGpu;
    globals: Record<string, unknown>;
  };
  for (const [name, value] of Object.entries(globals))
    if (!(name in globalThis)) Object.assign(globalThis, { [name]: value });
  const attempts: { via: WebGpuAdapterChoice['via']; options: string[]; request: Record<string, unknown> }[] =
    [
      { via: 'default', options: [], request: { powerPreference: 'high-performance' } },
      {
        via: 'opengles-compatibility',
        options: ['backend=opengles'],
        request: { featureLevel: 'compatibility' },
      },
    ];
  for (const { via, options, request } of attempts) {
    // Mesa's EGL without a display: headless servers have none.
    if (via === 'opengles-compatibility') process.env.EGL_PLATFORM ??= 'surfaceless';
    const gpu = create(options);
    instances.push(gpu);
    const adapter = await gpu.requestAdapter(request);
    if (!adapter) continue;
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
  throw new Error(
    `${NO_ADAPTER}: Dawn searched its default backend (Vulkan on Linux) and OpenGL ES in compatibility mode; with an NVIDIA GPU, install the Vulkan loader (apt-get install libvulkan1; the driver provides the ICD), without one Mesa's software adapter (apt-get install ${WEBGPU_SYSTEM_PACKAGES})`,
  );
}
