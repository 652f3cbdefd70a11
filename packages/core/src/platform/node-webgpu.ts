import {
  type AdapterInfo,
  describeAdapter,
  NO_ADAPTER,
  WEBGPU_SYSTEM_PACKAGES,
  type WebGpuAdapterChoice,
} from '../backend/webgpu-adapter-choice.js';

interface DawnGpu {
  requestAdapter(options?: Record<string, unknown>): Promise<{ info?: AdapterInfo } | null>;
}

/** Dawn instances stay referenced for the process's life: collecting one crashes its adapters' users. */
const instances: DawnGpu[] = [];

/**
 * Finds a WebGPU adapter through the npm `webgpu` package (Dawn, its binary inside the package):
 * first Dawn's default backend (Vulkan on Linux, where real GPUs are), then OpenGL ES in
 * compatibility mode (which reaches Mesa's llvmpipe on a machine without a GPU; Dawn rejects the
 * Vulkan lavapipe adapter). Installs the WebGPU globals tfjs needs.
 */
export async function findDawnAdapter(): Promise<WebGpuAdapterChoice> {
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
    if (adapter) return describeAdapter(adapter, via);
  }
  throw new Error(
    `${NO_ADAPTER}: Dawn searched its default backend (Vulkan on Linux) and OpenGL ES in compatibility mode; with an NVIDIA GPU, install the Vulkan loader (apt-get install libvulkan1; the driver provides the ICD), without one Mesa's software adapter (apt-get install ${WEBGPU_SYSTEM_PACKAGES})`,
  );
}
