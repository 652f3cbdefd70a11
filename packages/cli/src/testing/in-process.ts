import { buildProgram } from '../program.js';
import { exitCodeFor } from '../run/exit-codes.js';

/**
 * Runs `metagrad …` in this process up to the error it stops with: its exit code and the line the
 * command prints (`metagrad: <message>`). For refusals, which happen before anything starts. Test utility.
 */
export async function refusal(...args: string[]): Promise<{ code: number; line: string }> {
  const program = buildProgram().configureOutput({ writeErr: () => {}, writeOut: () => {} });
  try {
    await program.parseAsync(['node', 'metagrad', ...args]);
    return { code: 0, line: '' };
  } catch (error) {
    return { code: exitCodeFor(error), line: `metagrad: ${(error as Error).message}` };
  }
}

/**
 * Runs `metagrad …` in this process to the end: its exit code and what it wrote to stdout. For
 * commands that print and return (no dashboard, no signals), to spare a test a process start.
 * Test utility.
 */
export async function inProcess(...args: string[]): Promise<{ code: number; stdout: string }> {
  const chunks: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    chunks.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
    return true;
  }) as typeof process.stdout.write;
  const program = buildProgram().configureOutput({
    writeErr: () => {},
    writeOut: (text) => chunks.push(text),
  });
  try {
    await program.parseAsync(['node', 'metagrad', ...args]);
    return { code: Number(process.exitCode ?? 0), stdout: chunks.join('') };
  } catch (error) {
    return { code: exitCodeFor(error), stdout: chunks.join('') };
  } finally {
    process.stdout.write = write;
    process.exitCode = undefined;
  }
}
