import { WebWorkerTransport, webShardWorkersRegistered } from '../parallel/web-shard-workers.js';
import { findBrowserAdapter } from './browser-webgpu.js';
import { MemoryFileSystem } from './memory-file-system.js';
import type { Platform, ProcessIdentity } from './platform.js';
import { basename, dirname, joinPath } from './posix-path.js';
import { sha256Hex } from './sha256.js';
import { validateWasm } from './validate-wasm.js';

interface BrowserNavigator {
  userAgent?: string;
  hardwareConcurrency?: number;
  /** GiB, rounded (Chromium only). */
  deviceMemory?: number;
}

const browserNavigator = (): BrowserNavigator =>
  (globalThis as { navigator?: BrowserNavigator }).navigator ?? {};

/**
 * A page or a Web Worker is one process with its own memory file system: no other process can hold
 * a lock in it, so every lock owner it finds is itself.
 */
const THIS_CONTEXT: ProcessIdentity = { pid: 1, host: 'browser' };

/**
 * Browsers: run directories in memory (read them back, or zip one with `zipDirectory`, before the
 * page closes); gradient workers in the Web Workers a page registers with `useWebShardWorkers`.
 */
export const platform: Platform = {
  name: 'browser',
  pid: THIS_CONTEXT.pid,
  hostName: () => THIS_CONTEXT.host,
  files: new MemoryFileSystem(),
  joinPath,
  dirname,
  basename,
  pathOfUrl: (url) => url.href,
  gunzip: () => {
    throw new Error('gzip-compressed data needs Node here: decompress it before loading it in a browser');
  },
  sha256: sha256Hex,
  // Gradient workers are Web Workers the page registers (useWebShardWorkers); without them, none.
  availableParallelism: () =>
    webShardWorkersRegistered() ? (browserNavigator().hardwareConcurrency ?? 1) : 1,
  totalMemoryBytes: () => (browserNavigator().deviceMemory ?? 4) * 2 ** 30,
  describeMachine: () => ({
    runtime: browserNavigator().userAgent ?? 'unknown browser',
    platform: 'browser',
    cpu: 'unknown',
    cores: browserNavigator().hardwareConcurrency ?? 1,
    host: 'browser',
  }),
  gitCommit: () => undefined,
  currentProcess: () => THIS_CONTEXT,
  isRunning: () => true,
  couldOwnPidOnlyLock: () => true,
  environmentVariable: () => undefined,
  compilesWasm: validateWasm,
  warn: (message) => console.warn(message),
  findWebGpuAdapter: findBrowserAdapter,
  callerComputesShard: false,
  localShardTransport: (handlersModule, backend) => new WebWorkerTransport(handlersModule, backend),
};
