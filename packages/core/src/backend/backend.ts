import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { ConfigError } from '../validation/config-error.js';
import { type WatchedDevice, watchDevice } from './device-failure.js';
import { findWebGpuAdapter, NO_ADAPTER, WEBGPU_SYSTEM_PACKAGES } from './webgpu-adapter.js';
import { registerChunkedAddN } from './webgpu-add-n.js';
import { explainSyncReads, WEBGPU_SYNC_READS } from './webgpu-sync-reads.js';

/**
 * Backends metagrad knows how to load. `auto` picks the first of cuda → webgpu (a hardware adapter
 * only) → tensorflow → wasm that loads.
 */
export const BACKEND_NAMES = ['wasm', 'cpu', 'tensorflow', 'cuda', 'webgpu', 'auto'] as const;

/** A backend name accepted by {@link useBackend}. */
export type BackendName = (typeof BACKEND_NAMES)[number];

/** A concrete backend (every name except `auto`). */
export type ConcreteBackendName = Exclude<BackendName, 'auto'>;

/** Whether a backend can be loaded here, and if not, why. */
export interface BackendStatus {
  name: ConcreteBackendName;
  available: boolean;
  /** The npm package that provides it. */
  package: string;
  /** Why it is unavailable, or what it runs on when available. */
  detail: string;
}

/** The outcome of {@link useBackend}. */
export interface BackendResolution {
  /** The name asked for. */
  requested: BackendName;
  /** The metagrad name of the backend now active. */
  name: ConcreteBackendName;
  /** The tfjs backend id (`tf.getBackend()`): `wasm`, `cpu`, `tensorflow` or `webgpu`. */
  tfBackend: string;
  /** What it runs on, e.g. the WebGPU adapter and whether it is hardware or software. */
  detail: string;
  /** For `auto`: the backends tried before this one and why each was skipped. */
  skipped: { name: ConcreteBackendName; reason: string }[];
  /** On webgpu: the adapter, for a run's record. */
  adapter?: AdapterRecord;
}

/** A WebGPU adapter as a run records it. */
export interface AdapterRecord {
  kind: 'hardware' | 'software';
  description: string;
  vendor: string;
  architecture: string;
}

/** A requested backend could not be loaded; the message is one line saying what it needs. */
export class BackendUnavailableError extends Error {
  readonly backend: ConcreteBackendName;
  constructor(backend: ConcreteBackendName, message: string) {
    super(message);
    this.name = 'BackendUnavailableError';
    this.backend = backend;
  }
}

interface BackendSpec {
  package: string;
  tfName: string;
  requirement: string;
  load: () => Promise<void>;
}

const SPECS: Record<ConcreteBackendName, BackendSpec> = {
  wasm: {
    package: '@tensorflow/tfjs-backend-wasm',
    tfName: 'wasm',
    requirement: 'it ships its .wasm binaries inside the package; reinstall dependencies',
    load: async () => {
      await import('@tensorflow/tfjs-backend-wasm');
    },
  },
  cpu: {
    package: '@tensorflow/tfjs',
    tfName: 'cpu',
    requirement: 'it is part of @tensorflow/tfjs',
    load: async () => {},
  },
  tensorflow: {
    package: '@tensorflow/tfjs-node',
    tfName: 'tensorflow',
    requirement:
      'it downloads libtensorflow 2.9.1 when installed, so install it with network access: npm install @tensorflow/tfjs-node',
    load: async () => {
      await import(/* optional */ '@tensorflow/tfjs-node' as string);
    },
  },
  cuda: {
    package: '@tensorflow/tfjs-node-gpu',
    tfName: 'tensorflow',
    requirement:
      'it needs libtensorflow 2.9.1 (downloaded at install, so install with network access) and CUDA 11.2 + cuDNN 8.1 at run time',
    load: async () => {
      await import(/* optional */ '@tensorflow/tfjs-node-gpu' as string);
      const backend = tf.findBackend('tensorflow') as { isUsingGpuDevice?: boolean } | null;
      if (backend && backend.isUsingGpuDevice === false) {
        throw new Error('libtensorflow loaded but sees no GPU device');
      }
    },
  },

  webgpu: {
    package: '@tensorflow/tfjs-backend-webgpu',
    tfName: 'webgpu',
    requirement: `install the optional peers @tensorflow/tfjs-backend-webgpu and webgpu (Dawn for Node); without a GPU, Mesa gives a software adapter (apt-get install ${WEBGPU_SYSTEM_PACKAGES})`,
    load: async () => {
      const { adapter } = await findWebGpuAdapter();
      // tfjs asks navigator.gpu for an adapter when the backend initialises: hand it the one found.
      exposeToTfjs({ requestAdapter: async () => adapter, getPreferredCanvasFormat: () => 'rgba8unorm' });
      await import(/* optional */ '@tensorflow/tfjs-backend-webgpu' as string);
      registerChunkedAddN();
    },
  },
};

/** Makes `gpu` the `navigator.gpu` tfjs-backend-webgpu looks for (Node has no WebGPU of its own). */
function exposeToTfjs(gpu: object): void {
  const scope = globalThis as { navigator?: object };
  if (scope.navigator) Object.defineProperty(scope.navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
}

const AUTO_ORDER: ConcreteBackendName[] = ['cuda', 'webgpu', 'tensorflow', 'wasm'];
const loadErrors = new Map<ConcreteBackendName, string>();
const loaded = new Set<ConcreteBackendName>();

/** One short line saying why a loader failed, without paths or minified-source dumps. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (text.includes('tfjs_binding.node'))
    return 'its native addon is missing (libtensorflow was not downloaded at install)';
  if (
    (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' ||
    /Cannot find (module|package)/.test(text)
  ) {
    return 'the package is not installed';
  }
  const line = text.split('\n').find((l) => l.trim() !== '') ?? text;
  if (line.startsWith(NO_ADAPTER)) return line;
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

async function tryLoad(name: ConcreteBackendName): Promise<string | undefined> {
  if (loaded.has(name)) return undefined;
  const cached = loadErrors.get(name);
  if (cached !== undefined) return cached;
  // tfjs-node and tfjs-node-gpu both register as 'tensorflow'; only one can own it.
  const other = name === 'cuda' ? 'tensorflow' : name === 'tensorflow' ? 'cuda' : undefined;
  if (other && loaded.has(other)) {
    const reason = `${SPECS[other].package} is already loaded in this process`;
    loadErrors.set(name, reason);
    return reason;
  }
  try {
    await quietly(SPECS[name].load);
    if (!tf.findBackendFactory(SPECS[name].tfName))
      throw new Error('package loaded but registered no backend');
    loaded.add(name);
    return undefined;
  } catch (error) {
    const reason = firstLine(error);
    loadErrors.set(name, reason);
    return reason;
  }
}

/**
 * Runs a loader with console.warn/log muted: a half-installed tfjs-node registers kernels
 * before its native binding fails, and a second attempt prints "already registered" lines.
 */
async function quietly(load: () => Promise<void>): Promise<void> {
  const { warn, log } = console;
  console.warn = () => {};
  console.log = () => {};
  try {
    await load();
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

function unavailableMessage(name: ConcreteBackendName, reason: string): string {
  // The packages loaded, but there is no device: the search says what it tried and what to install.
  if (name === 'webgpu' && reason.startsWith(NO_ADAPTER)) return `backend 'webgpu' is unavailable: ${reason}`;
  const spec = SPECS[name];
  return `backend '${name}' is unavailable: ${spec.package} could not be loaded (${reason}); ${spec.requirement}`;
}

/** Throws a {@link ConfigError} unless `name` is a known backend name. */
export function assertBackendName(name: string, field = 'backend'): asserts name is BackendName {
  if (!(BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(field, name, `expected one of ${BACKEND_NAMES.join(', ')}`);
  }
}

/** A `backend` setting: a backend name or `auto`, default `wasm` (the one schema every command uses). */
export const backendSchema = z
  .enum(BACKEND_NAMES)
  .default('wasm')
  .describe('tensor backend (auto: the fastest available)');

/**
 * Loads and activates a TensorFlow.js backend by name, and waits until it is ready.
 *
 * - `wasm` (default): SIMD WebAssembly, shipped inside `@tensorflow/tfjs-backend-wasm`.
 * - `cpu`: the pure-JavaScript reference backend (about 10× slower than wasm).
 * - `tensorflow`: native libtensorflow through the optional `@tensorflow/tfjs-node`.
 * - `cuda`: libtensorflow with CUDA through the optional `@tensorflow/tfjs-node-gpu`.
 * - `webgpu`: `@tensorflow/tfjs-backend-webgpu` on Dawn (the optional `webgpu` package); `detail`
 *   names the adapter and says whether it is hardware or software (llvmpipe). Read results with
 *   `await tensor.data()`: synchronous reads of GPU tensors fail in Node ({@link WEBGPU_SYNC_READS}).
 * - `auto`: the first of cuda → webgpu (hardware adapter only) → tensorflow → wasm that loads;
 *   `skipped` says why the others were passed over.
 *
 * Throws {@link ConfigError} for an unknown name and {@link BackendUnavailableError} (one line,
 * naming the package and what it needs) when the backend cannot be loaded.
 *
 * @example
 * ```ts
 * const { name, detail, skipped } = await useBackend('auto');
 * console.log(`backend: ${name} (${detail})`, skipped);
 * ```
 */
export async function useBackend(requested: string = 'wasm'): Promise<BackendResolution> {
  assertBackendName(requested);
  const candidates = requested === 'auto' ? AUTO_ORDER : [requested];
  const skipped: BackendResolution['skipped'] = [];
  for (const name of candidates) {
    if (requested === 'auto' && name === 'webgpu') {
      const passOver = await softwareAdapterReason();
      if (passOver) {
        skipped.push({ name, reason: passOver });
        continue;
      }
    }
    const reason = await tryLoad(name);
    if (reason === undefined) {
      const ok = await tf.setBackend(SPECS[name].tfName);
      if (ok) {
        await tf.ready();
        // The cpu backend greets Node users with a banner urging tfjs-node; here cpu was chosen on purpose.
        if (name === 'cpu') Object.assign(tf.backend(), { firstUse: false });
        if (name === 'webgpu') {
          explainSyncReads();
          watchDevice((tf.backend() as unknown as { device: WatchedDevice }).device);
        }
        return {
          requested,
          name,
          tfBackend: tf.getBackend(),
          detail: await describeAvailable(name),
          skipped,
          ...(name === 'webgpu' && { adapter: await adapterRecord() }),
        };
      }
      skipped.push({ name, reason: 'backend failed to initialise' });
      continue;
    }
    skipped.push({ name, reason });
  }
  const last = skipped[skipped.length - 1]!;
  if (requested === 'auto') {
    throw new BackendUnavailableError(
      last.name,
      `no backend could be loaded: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`,
    );
  }
  throw new BackendUnavailableError(last.name, unavailableMessage(last.name, last.reason));
}

async function adapterRecord(): Promise<AdapterRecord> {
  const { kind, description, vendor, architecture } = await findWebGpuAdapter();
  return { kind, description, vendor, architecture };
}

/** Why `auto` passes over webgpu here (no adapter, or only a software one), or undefined to try it. */
async function softwareAdapterReason(): Promise<string | undefined> {
  try {
    const choice = await findWebGpuAdapter();
    return choice.kind === 'software' ? `only a software adapter (${choice.description})` : undefined;
  } catch (error) {
    return firstLine(error);
  }
}

/**
 * Reports, for every concrete backend, whether it can be loaded in this process and why not.
 * Loading is attempted (and cached); the active backend is left unchanged.
 *
 * @example
 * ```ts
 * for (const b of await listBackends()) console.log(b.name, b.available ? 'ok' : b.detail);
 * ```
 */
export async function listBackends(): Promise<BackendStatus[]> {
  const statuses: BackendStatus[] = [];
  for (const name of ['wasm', 'cpu', 'tensorflow', 'cuda', 'webgpu'] as const) {
    const reason = await tryLoad(name);
    statuses.push({
      name,
      available: reason === undefined,
      package: SPECS[name].package,
      detail: reason === undefined ? await describeAvailable(name) : `${reason}; ${SPECS[name].requirement}`,
    });
  }
  return statuses;
}

async function describeAvailable(name: ConcreteBackendName): Promise<string> {
  switch (name) {
    case 'webgpu': {
      const { kind, description, via } = await findWebGpuAdapter();
      const path = via === 'default' ? "Dawn's default backend" : 'OpenGL ES, compatibility mode';
      const note = kind === 'software' ? ': a correctness path, slower than wasm' : '';
      return `${kind} adapter ${description} (${path})${note}`;
    }
    case 'wasm':
      return 'WebAssembly with SIMD (threads are off under Node)';
    case 'cpu':
      return 'pure JavaScript reference backend';
    case 'tensorflow':
      return 'native libtensorflow on the CPU';
    case 'cuda':
      return 'native libtensorflow on a CUDA GPU';
  }
}
