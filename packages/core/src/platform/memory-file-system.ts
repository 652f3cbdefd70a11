import type { FileStat, FileSystem } from './platform.js';
import { dirname, normalizePath } from './posix-path.js';

/** A file's contents; hard links and open descriptors share it, as they share an inode. */
class FileNode {
  bytes = new Uint8Array(0);
  length = 0;
  mtimeMs = Date.now();

  resize(length: number): void {
    if (length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(length, this.bytes.length * 2, 256));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    } else if (length < this.length) {
      this.bytes.fill(0, length, this.length);
    }
    this.length = length;
    this.mtimeMs = Date.now();
  }
}

type Entry = { kind: 'directory'; mtimeMs: number } | { kind: 'file'; node: FileNode };

interface OpenFile {
  node: FileNode | undefined;
  position: number;
  append: boolean;
}

/** An error shaped as Node's file-system errors are (`code`, `syscall`, `path`), so callers handle both alike. */
function fsError(code: string, syscall: string, path: string): Error {
  const text: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EEXIST: 'file already exists',
    ENOTDIR: 'not a directory',
    EISDIR: 'is a directory',
    ENOTEMPTY: 'directory not empty',
    EBADF: 'bad file descriptor',
    EINVAL: 'invalid argument',
  };
  return Object.assign(new Error(`${code}: ${text[code] ?? code}, ${syscall} '${path}'`), {
    code,
    syscall,
    path,
  });
}

/**
 * A file system held in memory, with the semantics metagrad's durable writes rely on: renames
 * replace atomically, `wx` and `link` refuse existing paths, descriptors outlive renames. The
 * browser platform keeps run directories here; nothing survives the page.
 */
export class MemoryFileSystem implements FileSystem {
  private readonly entries = new Map<string, Entry>([['/', { kind: 'directory', mtimeMs: Date.now() }]]);
  private readonly open = new Map<number, OpenFile>();
  private nextFd = 3;

  existsSync(path: string): boolean {
    return this.entries.has(resolve(path));
  }

  statSync(path: string): FileStat {
    const entry = this.entry(path, 'stat');
    return entry.kind === 'file'
      ? { size: entry.node.length, mtimeMs: entry.node.mtimeMs, isDirectory: false }
      : { size: 0, mtimeMs: entry.mtimeMs, isDirectory: true };
  }

  mkdirSync(path: string, options: { recursive?: boolean } = {}): void {
    const full = resolve(path);
    const existing = this.entries.get(full);
    if (existing) {
      if (options.recursive && existing.kind === 'directory') return;
      throw fsError('EEXIST', 'mkdir', path);
    }
    const parent = dirname(full);
    if (!this.entries.has(parent)) {
      if (!options.recursive) throw fsError('ENOENT', 'mkdir', path);
      this.mkdirSync(parent, options);
    }
    this.directory(parent, 'mkdir', path);
    this.entries.set(full, { kind: 'directory', mtimeMs: Date.now() });
  }

  readdirSync(path: string): string[] {
    const full = this.directory(resolve(path), 'scandir', path);
    return this.children(full).map((child) => child.slice(full === '/' ? 1 : full.length + 1));
  }

  readFileSync(path: string): Uint8Array {
    const entry = this.entry(path, 'open');
    if (entry.kind !== 'file') throw fsError('EISDIR', 'read', path);
    return entry.node.bytes.slice(0, entry.node.length);
  }

  rmSync(path: string, options: { recursive?: boolean; force?: boolean } = {}): void {
    const full = resolve(path);
    const entry = this.entries.get(full);
    if (!entry) {
      if (options.force) return;
      throw fsError('ENOENT', 'rm', path);
    }
    if (entry.kind === 'directory') {
      if (full === '/') throw fsError('EISDIR', 'rm', path);
      if (!options.recursive && this.children(full).length > 0) throw fsError('ENOTEMPTY', 'rm', path);
      for (const key of [...this.entries.keys()]) if (key.startsWith(`${full}/`)) this.entries.delete(key);
    }
    this.entries.delete(full);
  }

  renameSync(from: string, to: string): void {
    const source = resolve(from);
    const target = resolve(to);
    const entry = this.entry(from, 'rename');
    this.directory(dirname(target), 'rename', to);
    if (source === target) return;
    const replaced = this.entries.get(target);
    if (replaced) {
      if (replaced.kind !== entry.kind)
        throw fsError(replaced.kind === 'directory' ? 'EISDIR' : 'ENOTDIR', 'rename', to);
      if (replaced.kind === 'directory' && this.children(target).length > 0)
        throw fsError('ENOTEMPTY', 'rename', to);
    }
    if (entry.kind === 'directory' && target.startsWith(`${source}/`)) throw fsError('EINVAL', 'rename', to);
    const moved = [...this.entries].filter(([key]) => key === source || key.startsWith(`${source}/`));
    for (const [key] of moved) this.entries.delete(key);
    for (const [key, value] of moved) this.entries.set(target + key.slice(source.length), value);
  }

  linkSync(from: string, to: string): void {
    const entry = this.entry(from, 'link');
    if (entry.kind !== 'file') throw fsError('EISDIR', 'link', from);
    const target = resolve(to);
    if (this.entries.has(target)) throw fsError('EEXIST', 'link', to);
    this.directory(dirname(target), 'link', to);
    this.entries.set(target, { kind: 'file', node: entry.node });
  }

  openSync(path: string, flags: string): number {
    const full = resolve(path);
    let entry = this.entries.get(full);
    if (entry && flags === 'wx') throw fsError('EEXIST', 'open', path);
    if (!entry) {
      if (flags === 'r') throw fsError('ENOENT', 'open', path);
      this.directory(dirname(full), 'open', path);
      entry = { kind: 'file', node: new FileNode() };
      this.entries.set(full, entry);
    }
    if (entry.kind === 'directory') {
      if (flags !== 'r') throw fsError('EISDIR', 'open', path);
      return this.descriptor({ node: undefined, position: 0, append: false });
    }
    if (flags === 'w') entry.node.resize(0);
    return this.descriptor({ node: entry.node, position: 0, append: flags === 'a' });
  }

  readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
    const node = this.file(fd, 'read');
    const n = Math.max(0, Math.min(length, node.length - position));
    buffer.set(node.bytes.subarray(position, position + n), offset);
    return n;
  }

  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number {
    const file = this.descriptorOf(fd, 'write');
    const node = this.file(fd, 'write');
    const at = file.append ? node.length : file.position;
    if (at + length > node.length) node.resize(at + length);
    node.bytes.set(buffer.subarray(offset, offset + length), at);
    node.mtimeMs = Date.now();
    file.position = at + length;
    return length;
  }

  fsyncSync(fd: number): void {
    this.descriptorOf(fd, 'fsync');
  }

  ftruncateSync(fd: number, length: number): void {
    this.file(fd, 'ftruncate').resize(length);
  }

  closeSync(fd: number): void {
    this.descriptorOf(fd, 'close');
    this.open.delete(fd);
  }

  private descriptor(file: OpenFile): number {
    const fd = this.nextFd++;
    this.open.set(fd, file);
    return fd;
  }

  private descriptorOf(fd: number, syscall: string): OpenFile {
    const file = this.open.get(fd);
    if (!file) throw fsError('EBADF', syscall, String(fd));
    return file;
  }

  private file(fd: number, syscall: string): FileNode {
    const node = this.descriptorOf(fd, syscall).node;
    if (!node) throw fsError('EISDIR', syscall, String(fd));
    return node;
  }

  private entry(path: string, syscall: string): Entry {
    const entry = this.entries.get(resolve(path));
    if (!entry) throw fsError('ENOENT', syscall, path);
    return entry;
  }

  private directory(full: string, syscall: string, path: string): string {
    const entry = this.entries.get(full);
    if (!entry) throw fsError('ENOENT', syscall, path);
    if (entry.kind !== 'directory') throw fsError('ENOTDIR', syscall, path);
    return full;
  }

  /** Full paths of the entries directly inside directory `full`, sorted. */
  private children(full: string): string[] {
    const prefix = full === '/' ? '/' : `${full}/`;
    return [...this.entries.keys()]
      .filter((key) => key !== full && key.startsWith(prefix) && !key.slice(prefix.length).includes('/'))
      .sort();
  }
}

/** Relative paths are taken from the root: the memory file system has no working directory. */
function resolve(path: string): string {
  return normalizePath(path.startsWith('/') ? path : `/${path}`);
}
