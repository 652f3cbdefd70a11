// The playground's numbers: the gzipped size of what the page loads, its time to the first
// training step, and the meta-step's time on wasm in Chromium beside Node's, interleaved.
// Run: pnpm bench:playground [rounds=3]. Needs Chromium (apt-get install chromium, or CHROMIUM_PATH).
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'puppeteer-core';
import { findChromium, launchChromium, servePlayground } from '../test/browser.js';
import { runJobInNode } from '../test/node-run.js';

const rounds = Number(process.argv[2] ?? 3);
const EPOCHS = 16; // 80 meta-steps
const WARMUP = 5;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** Gzipped bytes of the build's JavaScript and wasm: in all, and of the files a page asked for. */
function assetSizes(dir: string, requested: Set<string>) {
  const out = { js: 0, wasm: 0, loadedJs: 0, loadedWasm: 0, loaded: [] as string[] };
  for (const name of readdirSync(join(dir, 'assets'))) {
    const kind = name.endsWith('.js') ? 'js' : name.endsWith('.wasm') ? 'wasm' : undefined;
    if (!kind) continue;
    const gzipped = gzipSync(readFileSync(join(dir, 'assets', name))).length;
    out[kind] += gzipped;
    if (requested.has(name)) {
      out[kind === 'js' ? 'loadedJs' : 'loadedWasm'] += gzipped;
      out.loaded.push(name);
    }
  }
  return out;
}

interface BrowserRun {
  timings: { start: number; backend: number; baselines: number; firstStep: number };
  stepMs: number[];
}

async function runInBrowser(page: Page, url: string): Promise<BrowserRun> {
  await page.goto(`${url}?job=l2l&backend=wasm&epochs=${EPOCHS}&seed=0`, { waitUntil: 'load' });
  await page.waitForFunction(() => !(document.getElementById('start') as HTMLButtonElement).disabled);
  await page.click('#start');
  await page.waitForFunction(() => ['finished', 'error'].includes(document.body.dataset.state ?? ''), {
    timeout: 600_000,
  });
  return page.evaluate(() => (window as unknown as { playground: BrowserRun }).playground);
}

const chromium = findChromium();
if (!chromium.path) {
  console.log(`skipped: ${chromium.why}`);
  process.exit(0);
}
const served = await servePlayground();
const browser = await launchChromium(chromium.path);
try {
  const requested = new Set<string>();
  const version = await browser.version();
  const page = await browser.newPage();
  // What a wasm run of the optimizer job fetches (the first round's page and its Web Worker).
  page.on('request', (request) => requested.add(new URL(request.url()).pathname.split('/').pop() ?? ''));
  const rows: { browserMs: number; nodeMs: number; ratio: number; firstStep: number; baselines: number }[] =
    [];
  for (let round = 0; round < rounds; round++) {
    const inBrowser = await runInBrowser(page, served.url);
    const inNode = await runJobInNode('l2l', { epochs: EPOCHS, seed: 0 });
    const browserMs = median(inBrowser.stepMs.slice(WARMUP));
    const nodeMs = median(inNode.progressMs.slice(WARMUP));
    const t = inBrowser.timings;
    rows.push({
      browserMs,
      nodeMs,
      ratio: nodeMs / browserMs,
      firstStep: t.firstStep,
      baselines: t.baselines - t.backend,
    });
    console.log(
      `round ${round + 1}: meta-step Chromium ${browserMs.toFixed(1)} ms, Node ${nodeMs.toFixed(1)} ms; first step at ${(t.firstStep / 1000).toFixed(2)} s after navigation (page ready ${(t.start / 1000).toFixed(2)} s, backend ${((t.backend - t.start) / 1000).toFixed(2)} s, baselines ${((t.baselines - t.backend) / 1000).toFixed(2)} s)`,
    );
  }
  console.log(
    `\n${version}, Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} (${cpus().length} cores), wasm`,
  );
  const sizes = assetSizes(served.outDir, requested);
  console.log(
    `loaded by a wasm run, gzipped: JavaScript ${(sizes.loadedJs / 1024).toFixed(0)} KiB, wasm ${(sizes.loadedWasm / 1024).toFixed(0)} KiB (${sizes.loaded.join(', ')}); the whole build: JavaScript ${(sizes.js / 1024).toFixed(0)} KiB, wasm ${(sizes.wasm / 1024).toFixed(0)} KiB`,
  );
  console.log(
    `L2L meta-step (128 quadratics × 10, unroll 20), median of medians: Chromium ${median(rows.map((r) => r.browserMs)).toFixed(1)} ms, Node ${median(rows.map((r) => r.nodeMs)).toFixed(1)} ms, Node/Chromium ${median(rows.map((r) => r.ratio)).toFixed(2)}× (median of per-round ratios)`,
  );
  console.log(
    `time to the first training step: ${(median(rows.map((r) => r.firstStep)) / 1000).toFixed(2)} s after navigation, of which the tuned baselines' evaluation ${(median(rows.map((r) => r.baselines)) / 1000).toFixed(2)} s`,
  );
} finally {
  await browser.close();
  await served.close();
}
