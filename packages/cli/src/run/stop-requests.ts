import { EXIT_CODES } from './exit-codes.js';
import { onStdoutClosed } from './stdout.js';

/**
 * Why a training run was asked to stop before it completed: a signal (Ctrl-C, `kill`, a scheduler,
 * a closed terminal or ssh session), or its standard output closing (`metagrad … | head`).
 */
export type StopCause = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'EPIPE';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Stops `stop` gracefully on the first stop request (it finishes the current `what` and writes a
 * checkpoint), passing the cause, and exits at once (130) on a second signal. Returns a function
 * that removes the handlers.
 */
export function onStopRequest(what: string, stop: (cause: StopCause) => void): () => void {
  let requests = 0;
  const handler = (cause: StopCause) => {
    requests++;
    if (requests === 1) {
      const why = cause === 'EPIPE' ? 'the output pipe closed: stopping' : 'stopping';
      process.stderr.write(
        `\n${why} after this ${what} and writing a checkpoint (Ctrl-C again to quit now)\n`,
      );
      stop(cause);
    } else if (cause !== 'EPIPE') {
      process.exit(EXIT_CODES.interrupted);
    }
  };
  for (const signal of SIGNALS) process.on(signal, handler);
  const stopListening = onStdoutClosed(() => handler('EPIPE'));
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
    stopListening();
  };
}
