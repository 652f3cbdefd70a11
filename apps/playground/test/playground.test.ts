import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLearnedOptimizer } from '@metagrad/optimizers';
import { loadRl2Agent } from '@metagrad/rl';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findChromium, launchChromium, servePlayground } from './browser.js';
import { type NodeRunResult, runJobInNode } from './node-run.js';

const chromium = findChromium();
const SCREENSHOTS = new URL('../test-results/', import.meta.url).pathname;

/** What `window.playground` holds (see src/main.ts). */
interface PageState {
  state: string;
  backend: string;
  evaluations: { step: number; value: number }[];
  reference: { entries: { label: string; value: number }[] };
  timings: { firstStep?: number };
  stepMs: number[];
  paused: boolean;
  reason?: string;
  error?: string;
}

const pageState = (page: Page) =>
  page.evaluate(() => (window as unknown as { playground: PageState }).playground);

/** Opens the page at `address` (job, backend and settings in its query), starts training and waits for the end. */
async function train(page: Page, url: string, address: string): Promise<PageState> {
  await page.goto(`${url}${address}`, { waitUntil: 'load' });
  await page.waitForFunction(() => !(document.getElementById('start') as HTMLButtonElement).disabled);
  await page.click('#start');
  await page.waitForFunction(() => ['finished', 'error'].includes(document.body.dataset.state ?? ''), {
    timeout: 240_000,
  });
  const state = await pageState(page);
  expect(state.error).toBeUndefined();
  return state;
}

describe.skipIf(!chromium.path)(
  `the playground in Chromium${chromium.why ? ` (skipped: ${chromium.why})` : ''}`,
  () => {
    let served: Awaited<ReturnType<typeof servePlayground>>;
    let browser: Browser;
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      served = await servePlayground();
      browser = await launchChromium(chromium.path!);
      page = await browser.newPage();
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.setViewport({ width: 1100, height: 1400 });
      await page.goto(served.url, { waitUntil: 'load' });
      mkdirSync(SCREENSHOTS, { recursive: true });
    });

    afterAll(async () => {
      await browser?.close();
      await served?.close();
      if (served) rmSync(served.outDir, { recursive: true, force: true });
    });

    it('loads with metagrad in its title, a label on every control and no script errors', async () => {
      expect(await page.title()).toMatch(/metagrad/);
      const unlabelled = await page.$$eval('input, select', (controls) =>
        controls.filter((c) => (c as HTMLInputElement).labels?.length === 0).map((c) => c.outerHTML),
      );
      expect(unlabelled).toEqual([]);
      expect(
        await page.$eval('#chart', (svg) => [svg.getAttribute('role'), svg.getAttribute('aria-labelledby')]),
      ).toEqual(['img', 'chart-caption']);
      expect(await page.$eval('#status', (p) => p.getAttribute('role'))).toBe('status');
      expect(errors).toEqual([]);
    });

    it('has text contrast of at least 4.5:1 (WCAG AA) on every text element', async () => {
      const ratios = await page.$$eval(
        'h1, h2, p, label, legend, button, caption, th, td, li, option',
        (elements) => {
          const channel = (c: number) => {
            const s = c / 255;
            return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
          };
          const luminance = (rgb: number[]) =>
            0.2126 * channel(rgb[0]!) + 0.7152 * channel(rgb[1]!) + 0.0722 * channel(rgb[2]!);
          const parse = (color: string) => (color.match(/[\d.]+/g) ?? []).map(Number);
          const background = (element: Element): number[] => {
            for (let e: Element | null = element; e; e = e.parentElement) {
              const rgba = parse(getComputedStyle(e).backgroundColor);
              if (rgba.length === 3 || (rgba[3] ?? 0) > 0) return rgba.slice(0, 3);
            }
            return [255, 255, 255];
          };
          return elements
            .filter((e) => (e as HTMLElement).offsetParent !== null && e.textContent?.trim())
            .map((e) => {
              const [a, b] = [luminance(parse(getComputedStyle(e).color)), luminance(background(e))];
              return {
                text: e.textContent!.trim().slice(0, 30),
                ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
              };
            });
        },
      );
      expect(ratios.length).toBeGreaterThan(10);
      expect(ratios.filter((r) => r.ratio < 4.5)).toEqual([]);
    });

    it('tells a browser with neither WebGPU nor WebAssembly what is missing, and offers no Start', async () => {
      const bare = await browser.newPage();
      try {
        // What such a browser lacks, removed before the page's scripts run.
        await bare.evaluateOnNewDocument(() => {
          Reflect.deleteProperty(globalThis, 'WebAssembly');
          Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });
        });
        await bare.goto(served.url, { waitUntil: 'load' });
        await bare.waitForFunction(() => !(document.getElementById('unsupported') as HTMLElement).hidden);
        expect(await bare.$eval('#unsupported', (p) => [p.getAttribute('role'), p.textContent])).toEqual([
          'alert',
          'The playground cannot train here: this browser has no WebGPU, and it has no WebAssembly. A current Chrome, Edge, Firefox or Safari has both.',
        ]);
        expect(await bare.$eval('#start', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
      } finally {
        await bare.close();
      }
    });

    it('names a bad setting from the address in one line, and trains nothing', async () => {
      await page.goto(`${served.url}?job=rl2&backend=wasm&batch=abc`, { waitUntil: 'load' });
      await page.waitForFunction(() => !(document.getElementById('start') as HTMLButtonElement).disabled);
      expect(await page.$eval('#address-settings', (p) => p.textContent)).toContain('batch = abc');
      await page.click('#start');
      await page.waitForFunction(() => document.body.dataset.state === 'error');
      expect(await page.$eval('#status', (p) => p.textContent)).toMatch(
        /^Training failed: invalid rl2\.batch: "abc"/,
      );
      expect((await pageState(page)).evaluations).toEqual([]);
      await page.goto(served.url, { waitUntil: 'load' });
    });

    it('honours prefers-reduced-motion', async () => {
      const transition = () => page.$eval('progress', (p) => getComputedStyle(p).transitionDuration);
      await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'no-preference' }]);
      expect(await transition()).toBe('0.2s');
      await page.emulateMediaFeatures([{ name: 'prefers-reduced-motion', value: 'reduce' }]);
      expect(await transition()).toBe('0s');
    });

    it('is used from the keyboard: Tab reaches Start in order, Enter starts, Pause and Stop answer', async () => {
      await page.select('#backend', 'wasm');
      const order: string[] = [];
      await page.focus('body');
      for (let i = 0; i < 12 && order.at(-1) !== 'start'; i++) {
        await page.keyboard.press('Tab');
        order.push(
          await page.evaluate(
            () => document.activeElement?.id || (document.activeElement as HTMLInputElement)?.name || '',
          ),
        );
      }
      expect(order).toEqual(expect.arrayContaining(['job-l2l', 'backend', 'length', 'seed', 'start']));
      expect(order.indexOf('job-l2l')).toBeLessThan(order.indexOf('start'));
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.body.dataset.state === 'running');
      await page.waitForFunction(
        () => (window as unknown as { playground: PageState }).playground.timings.firstStep !== undefined,
        {
          timeout: 120_000,
        },
      );
      const steps = () =>
        page.evaluate(() => (window as unknown as { playground: PageState }).playground.stepMs.length);
      await page.focus('#pause');
      await page.keyboard.press('Enter');
      expect(await page.$eval('#pause', (b) => [b.textContent, b.getAttribute('aria-pressed')])).toEqual([
        'Resume',
        'true',
      ]);
      // Paused after the step under way, as the worker says: then no step completes until Resume.
      await page.waitForFunction(() => (window as unknown as { playground: PageState }).playground.paused);
      const pausedAt = await steps();
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(await steps()).toBe(pausedAt);
      await page.keyboard.press('Enter');
      await page.waitForFunction(
        (n) => (window as unknown as { playground: PageState }).playground.stepMs.length > n,
        {},
        pausedAt,
      );
      await page.focus('#stop');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.body.dataset.state === 'finished', { timeout: 120_000 });
      const state = await pageState(page);
      // Stopped, not run to its end: 60 epochs are 300 meta-steps.
      expect([state.reason, state.stepMs.length < 300]).toEqual(['stopped', true]);
      expect(await page.$eval('#download', (b) => (b as HTMLButtonElement).disabled)).toBe(false);
    });

    // With 2 workers the gradient shards run in Web Workers, against Node's worker threads.
    describe.each([
      ['l2l', 1],
      ['rl2', 1],
      ['l2l', 2],
      ['rl2', 2],
    ] as const)('the %s job on wasm with %i gradient worker(s)', (job, workers) => {
      // Two evaluations of the optimizer with one worker; one of each job with two.
      const length = job === 'l2l' && workers === 1 ? 10 : 5;
      let inBrowser: PageState;
      let inNode: NodeRunResult;

      beforeAll(async () => {
        const lengthField = job === 'l2l' ? 'epochs' : 'iterations';
        inBrowser = await train(
          page,
          served.url,
          `?job=${job}&backend=wasm&${lengthField}=${length}&seed=0&workers=${workers}`,
        );
        inNode = await runJobInNode(job, { [lengthField]: length, seed: 0, workers });
      });

      it('trains on wasm and draws each evaluation on the chart', async () => {
        expect(inBrowser.backend).toBe('wasm');
        expect(inBrowser.evaluations.length).toBeGreaterThan(0);
        const drawn = await page.$$eval('#chart circle', (circles) => circles.length);
        expect(drawn).toBe(inBrowser.evaluations.length);
        expect(await page.$$eval('#legend li', (items) => items.length)).toBe(
          1 + inBrowser.reference.entries.length,
        );
        await page.screenshot({ path: `${SCREENSHOTS}playground-${job}-${workers}.png`, fullPage: true });
      });

      // The same wasm binary and the same code: equal up to float rounding in the two JavaScript engines.
      it('gives the numbers Node gives for the same seed (within 1e-5, relative)', () => {
        expect(inBrowser.evaluations.map((e) => e.step)).toEqual(inNode.evaluations.map((e) => e.step));
        inBrowser.evaluations.forEach((e, i) => {
          const node = inNode.evaluations[i]!.value;
          expect(Math.abs(e.value - node)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(node)));
        });
        expect(inBrowser.reference.entries.map((e) => e.label)).toEqual(inNode.reference.map((e) => e.label));
        inBrowser.reference.entries.forEach((e, i) => {
          const node = inNode.reference[i]!.value;
          expect(Math.abs(e.value - node)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(node)));
        });
      });

      it('downloads the trained model as a zip of the saved-model folder', async () => {
        // A real download: Chromium writes the file the page offers into a folder of ours.
        const dir = mkdtempSync(join(tmpdir(), 'download-'));
        const name = job === 'l2l' ? 'optimizer.zip' : 'agent.zip';
        const session = await page.createCDPSession();
        await session.send('Browser.setDownloadBehavior', {
          behavior: 'allow',
          downloadPath: dir,
          eventsEnabled: true,
        });
        const done = new Promise<void>((resolve) =>
          session.on('Browser.downloadProgress', (event) => {
            if (event.state === 'completed') resolve();
          }),
        );
        await page.click('#download');
        await done;
        await session.detach();
        // Unzipped by Python's zipfile, it is a folder the eval commands' readers load.
        try {
          execFileSync('python3', ['-m', 'zipfile', '-e', join(dir, name), dir]);
          if (job === 'l2l') {
            const optimizer = loadLearnedOptimizer(join(dir, 'optimizer'));
            expect(optimizer.weightNames().length).toBeGreaterThan(0);
            optimizer.dispose();
          } else {
            const { agent, config } = loadRl2Agent(join(dir, 'agent'));
            expect([agent.name, config.env]).toEqual(['rl2', 'bandit']);
          }
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });

    it('trains on WebGPU where Chromium offers an adapter (a software one without a GPU: tiny settings)', async (context) => {
      await page.goto(served.url, { waitUntil: 'load' });
      await page.waitForFunction(() => !(document.getElementById('start') as HTMLButtonElement).disabled);
      const offered = await page.$eval(
        '#backend option[value=webgpu]',
        (o) => !(o as HTMLOptionElement).disabled,
      );
      if (!offered) context.skip('this Chromium offers no WebGPU adapter');
      const state = await train(
        page,
        served.url,
        '?job=rl2&backend=webgpu&iterations=1&evalTrials=20&batch=16',
      );
      expect(state.backend).toBe('webgpu');
      expect(state.evaluations.map((e) => Number.isFinite(e.value))).toEqual([true]);
      expect(await page.$$eval('#chart circle', (circles) => circles.length)).toBe(1);
    });
  },
);
