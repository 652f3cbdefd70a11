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
