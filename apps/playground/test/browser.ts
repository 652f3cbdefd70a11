import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { build, type PreviewServer, preview } from 'vite';

const APP = new URL('..', import.meta.url).pathname;

/**
 * The Chromium to drive: `CHROMIUM_PATH`, else Debian's `chromium` (or `chromium-browser`) on the
 * PATH. Undefined, with why, where there is none: the browser tests then skip saying so.
 */
export function findChromium(): { path?: string; why?: string } {
  const named = process.env.CHROMIUM_PATH;
  if (named) return existsSync(named) ? { path: named } : { why: `CHROMIUM_PATH=${named} does not exist` };
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return { path: execFileSync('which', [name], { encoding: 'utf8' }).trim() };
    } catch {
      /* not this one */
    }
  }
  return { why: 'no chromium on PATH (apt-get install chromium, or set CHROMIUM_PATH)' };
}

/** The playground built for production into a temporary folder and served as static files by Vite's preview server. */
export async function servePlayground(): Promise<{ url: string; outDir: string; close(): Promise<void> }> {
  const outDir = await mkdtemp(join(tmpdir(), 'playground-'));
  await build({ root: APP, logLevel: 'error', build: { outDir, emptyOutDir: true } });
  const server: PreviewServer = await preview({
    root: APP,
    logLevel: 'error',
    build: { outDir },
    preview: { port: 0, host: '127.0.0.1', strictPort: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('the preview server has no port');
  return {
    url: `http://127.0.0.1:${address.port}/`,
    outDir,
    close: () => server.close(),
  };
}

/** Headless Chromium with WebGPU enabled where it can offer an adapter (SwiftShader without a GPU). */
export function launchChromium(executablePath: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--enable-features=Vulkan',
      '--use-webgpu-adapter=swiftshader',
    ],
  });
}
