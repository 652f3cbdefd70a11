import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';

const NODE_BUILTIN = /^(node:|fs$|path$|os$|url$|crypto$|zlib$|child_process$|worker_threads$|module$)/;

/**
 * Bundles `entry` as a browser bundler does (the `browser` condition, no Node built-ins, no
 * polyfills) and returns the bundle's inputs and every import esbuild could not resolve.
 */
async function bundleForBrowser(entry: string): Promise<{ inputs: string[]; unresolved: string[] }> {
  try {
    const result = await build({
      stdin: { contents: `export * from '${entry}';`, resolveDir: import.meta.dirname, loader: 'ts' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      conditions: ['browser'],
      write: false,
      metafile: true,
      logLevel: 'silent',
      // tfjs-backend-wasm asks for its .wasm files by URL; the bundle keeps them as files.
      loader: { '.wasm': 'file', '.gz': 'file' },
      outdir: 'out',
      // Optional peers loaded only when their backend is asked for; they are native and not installed.
      external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'],
    });
    return { inputs: Object.keys((result.metafile as Metafile).inputs), unresolved: [] };
  } catch (error) {
    const errors = (error as { errors?: { text: string; location?: { file: string } }[] }).errors ?? [];
    return { inputs: [], unresolved: errors.map((e) => `${e.location?.file}: ${e.text}`) };
  }
}

describe('the packages in a browser bundle', () => {
  it.each(['@metagrad/core', '@metagrad/optimizers', '@metagrad/rl'])(
    '%s bundles for the browser with no Node built-in and no Node-only package reaching the bundle',
    async (entry) => {
      const { inputs, unresolved } = await bundleForBrowser(entry);
      expect(unresolved).toEqual([]);
      expect(inputs.filter((input) => NODE_BUILTIN.test(input))).toEqual([]);
      // The Node implementations of the platform, and Dawn (the npm `webgpu` package), stay out.
      expect(
        inputs.filter((input) => /node-platform|node-webgpu|worker-thread|\/webgpu@/.test(input)),
      ).toEqual([]);
      expect(inputs.some((input) => input.endsWith('platform/browser-platform.ts'))).toBe(true);
    },
  );
});
