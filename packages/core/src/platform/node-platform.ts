import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { availableParallelism, cpus, hostname, totalmem } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { gunzipSync } from 'node:zlib';
import { WorkerThreadTransport } from '../parallel/worker-thread-transport.js';
import { couldOwnPidOnlyLock, currentProcess, isRunning } from './node-process-identity.js';
import { findDawnAdapter } from './node-webgpu.js';
import type { FileSystem, Platform } from './platform.js';
import { validateWasm } from './validate-wasm.js';

const nodeFileSystem: FileSystem = {
  existsSync: (path) => fs.existsSync(path),
  statSync: (path) => {
    const stat = fs.statSync(path);
    return { size: stat.size, mtimeMs: stat.mtimeMs, isDirectory: stat.isDirectory() };
  },
  mkdirSync: (path, options) => {
    fs.mkdirSync(path, options);
  },
  readdirSync: (path) => fs.readdirSync(path),
  readFileSync: (path) => fs.readFileSync(path),
  rmSync: (path, options) => fs.rmSync(path, options),
  renameSync: (from, to) => fs.renameSync(from, to),
  linkSync: (from, to) => fs.linkSync(from, to),
  openSync: (path, flags) => fs.openSync(path, flags),
  readSync: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fsyncSync: (fd) => fs.fsyncSync(fd),
  ftruncateSync: (fd, length) => fs.ftruncateSync(fd, length),
  closeSync: (fd) => fs.closeSync(fd),
};

/** Node: the real file system, worker threads, `/proc` for process identities. */
export const platform: Platform = {
  name: 'node',
  pid: process.pid,
  hostName: hostname,
  files: nodeFileSystem,
  joinPath: join,
  dirname,
  basename,
  pathOfUrl: (url) => (url.protocol === 'file:' ? fileURLToPath(url) : url.href),
  gunzip: (bytes) => gunzipSync(bytes),
  sha256: (data) => createHash('sha256').update(data).digest('hex'),
  availableParallelism,
  totalMemoryBytes: totalmem,
  describeMachine: () => ({
    runtime: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    host: hostname(),
  }),
  gitCommit: () => {
    try {
      const result = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', timeout: 2000 });
      const out = result.status === 0 ? result.stdout.trim() : '';
      return /^[0-9a-f]{40}$/.test(out) ? out : undefined;
    } catch {
      return undefined;
    }
  },
  currentProcess,
  isRunning,
  couldOwnPidOnlyLock,
  environmentVariable: (name) => process.env[name],
  compilesWasm: (bytes) => {
    if (validateWasm(bytes)) return true;
    // Node 20's V8 has relaxed SIMD behind this flag (on by default from Node 22); it must be
    // set before the module is compiled, and it holds for every thread of the process.
    setFlagsFromString('--experimental-wasm-relaxed-simd');
    return validateWasm(bytes);
  },
  warn: (message) => process.emitWarning(message),
  findWebGpuAdapter: findDawnAdapter,
  callerComputesShard: true,
  localShardTransport: (handlersModule, backend) => new WorkerThreadTransport(handlersModule, backend),
};
