/**
 * The URL of module `name` in the same folder as the module at `callerUrl`, with the caller's own
 * extension: `.ts` when running from source (tsx, vitest), `.js` from a compiled `dist/`. Worker
 * entry points are loaded by URL, so they must follow whichever form is running.
 */
export function siblingModule(name: string, callerUrl: string): string {
  const extension = new URL(callerUrl).pathname.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, callerUrl).href;
}
