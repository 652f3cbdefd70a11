import type { WebGpuAdapterChoice } from '../backend/webgpu-adapter-choice.js';
import type { ShardTransport } from '../parallel/shard-protocol.js';

/** What {@link FileSystem.statSync} reports. */
export interface FileStat {
  size: number;
  mtimeMs: number;
  isDirectory: boolean;
}

/**
 * The file operations metagrad's run directories, checkpoints, logs and saved models use: Node's
 * file system under Node, an in-memory one in a browser. Paths are POSIX paths.
 */
export interface FileSystem {
  existsSync(path: string): boolean;
  statSync(path: string): FileStat;
  mkdirSync(path: string, options?: { recursive?: boolean }): void;
  readdirSync(path: string): string[];
  readFileSync(path: string): Uint8Array;
  rmSync(path: string, options?: { recursive?: boolean; force?: boolean }): void;
  renameSync(from: string, to: string): void;
  /** A hard link: fails with EEXIST when `to` exists (locks rely on that). */
  linkSync(from: string, to: string): void;
  /** Flags: `r`, `a` (append, created when missing), `w` (truncated), `wx` (fails when it exists). */
  openSync(path: string, flags: string): number;
  /** Reads up to `length` bytes at `position` into `buffer[offset…]`; returns the bytes read. */
  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  /** Writes from `buffer[offset, offset + length)` at the file position; returns the bytes written. */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  fsyncSync(fd: number): void;
  ftruncateSync(fd: number, length: number): void;
  closeSync(fd: number): void;
}

/**
 * What tells one process from another beyond its pid, which the kernel reuses: the host, the boot
 * (Linux's `boot_id`), and the process's start time in clock ticks since boot. The last two are
 * absent where `/proc` is not (they are then not compared).
 */
export interface ProcessIdentity {
  pid: number;
  host: string;
  bootId?: string;
  startTicks?: number;
}

/** The machine a run records in its `config.json`. */
export interface MachineDescription {
  /** The JavaScript runtime and its version, e.g. `v20.20.0` (Node) or the browser's user agent. */
  runtime: string;
  platform: string;
  cpu: string;
  cores: number;
  host: string;
}

/**
 * Everything metagrad needs from the environment it runs in. The package's `#platform` import picks
 * the Node implementation or, under a bundler's `browser` condition, the browser one, so that no
 * Node built-in reaches a browser bundle.
 */
export interface Platform {
  readonly name: 'node' | 'browser';
  /** This process's id (temp file names carry it). */
  readonly pid: number;
  hostName(): string;
  /** The file system run directories live on. */
  readonly files: FileSystem;
  joinPath(...parts: string[]): string;
  dirname(path: string): string;
  basename(path: string): string;
  /** The path of a `file:` URL (a file shipped inside a package); elsewhere the URL itself. */
  pathOfUrl(url: URL): string;
  /** Decompresses gzip data (Node only: a browser's DecompressionStream is asynchronous). */
  gunzip(bytes: Uint8Array): Uint8Array;
  /** SHA-256 of UTF-8 text or bytes, as lowercase hex. */
  sha256(data: string | Uint8Array): string;
  /** Cores this program may use: the default and bound of gradient worker threads. */
  availableParallelism(): number;
  totalMemoryBytes(): number;
  describeMachine(): MachineDescription;
  /** The git commit of the working tree, when run from a checkout. */
  gitCommit(): string | undefined;
  /** This process. */
  currentProcess(): ProcessIdentity;
  /** Whether the process `owner` names can still be running (unknown owners count as running). */
  isRunning(owner: ProcessIdentity): boolean;
  /** Whether a live process `pid` can own a lock file that records only its pid. */
  couldOwnPidOnlyLock(pid: number, lockPath: string): boolean;
  /** An environment variable (Node's `process.env`; a browser has none). */
  environmentVariable(name: string): string | undefined;
  /**
   * Whether this runtime compiles the WebAssembly `bytes`. Under Node 20 it first turns on the
   * features metagrad's kernels use that V8 ships behind a flag there (relaxed SIMD).
   */
  compilesWasm(bytes: Uint8Array): boolean;
  /** A warning that must not stop the program (Node: `process.emitWarning`). */
  warn(message: string): void;
  /** A WebGPU adapter: the browser's own, or under Node one of Dawn's (the npm `webgpu` package). */
  findWebGpuAdapter(): Promise<WebGpuAdapterChoice>;
  /**
   * Whether the thread that calls a pool of local gradient workers computes the first shard itself
   * (Node: it would only wait; a browser's calling thread draws the page and must not block).
   */
  readonly callerComputesShard: boolean;
  /** A gradient worker on this machine loading `handlersModule` on its own tfjs `backend`. */
  localShardTransport(handlersModule: string, backend: string): ShardTransport;
}
