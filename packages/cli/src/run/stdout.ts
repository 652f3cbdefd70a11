/**
 * Standard output that may close under us: `metagrad … | head` closes the pipe, and a hung-up
 * terminal fails writes. Node reports that as an `error` event (EPIPE, EIO) on `process.stdout`
 * rather than a signal. A command reading a finished listing is simply done then (exit 0); a
 * training run that is listening is asked to stop as a signal would stop it, and everything it
 * would still print is dropped, since another write would fail again.
 */
const listeners = new Set<() => void>();
let closed = false;
let stopRequested = false;

/** Installs the handler once, at startup (main.ts). */
export function watchStdout(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
    if (closed) return;
    closed = true;
    if (listeners.size === 0) {
      // Nobody to stop: a listing cut short is not an error. A stopping run sets its own exit code.
      if (!stopRequested) process.exit(0);
      return;
    }
    stopRequested = true;
    for (const listener of listeners) listener();
  });
  // Messages on a closed standard error are lost either way; failing on them would lose the checkpoint.
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'EIO') throw error;
  });
}

/** Calls `listener` once if standard output closes; returns a function that stops listening. */
export function onStdoutClosed(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Writes to standard output unless it has closed. */
export function writeStdout(text: string): void {
  if (!closed) process.stdout.write(text);
}
