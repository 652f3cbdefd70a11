import type { ReferenceResults, TrainEvaluationEvent } from '@metagrad/core';
import { settingsFromAddress } from './address-settings.js';
import { JOB_DESCRIPTIONS, type JobId } from './job-descriptions.js';
import { type ChartSeries, renderLineChart } from './line-chart.js';
import type { FromWorker, PlaygroundBackend, ToWorker } from './protocol.js';
import { supportedBackends } from './support.js';

const COLORS = ['#b3261e', '#1b6e3a', '#7a4a00', '#5b3c99', '#00677f', '#8a1c5b'];
const LEARNED_COLOR = '#1f4e9c';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');
const status = $<HTMLParagraphElement>('status');
const progress = $<HTMLProgressElement>('progress');
const chart = document.getElementById('chart') as unknown as SVGSVGElement;
const buttons = {
  start: $<HTMLButtonElement>('start'),
  pause: $<HTMLButtonElement>('pause'),
  stop: $<HTMLButtonElement>('stop'),
  download: $<HTMLButtonElement>('download'),
};

/** What the page knows, also read by its browser test (`window.playground`). */
const state = {
  state: 'idle' as 'idle' | 'running' | 'paused' | 'finished' | 'error',
  job: 'l2l' as JobId,
  backend: '' as string,
  backendDetail: '',
  objective: '',
  /** What one training step is called (from the run's start event). */
  unit: 'step',
  higherIsBetter: false,
  evaluations: [] as { step: number; value: number; best: boolean }[],
  reference: { entries: [], curves: [] } as ReferenceResults,
  /** When (ms since the page's navigation began) the run started, its backend was ready, the baselines were evaluated and the first training step was done. */
  timings: {} as { start?: number; backend?: number; baselines?: number; firstStep?: number },
  stepMs: [] as number[],
  results: undefined as Record<string, unknown> | undefined,
  /** The worker has paused (set when it says so, cleared on resume). */
  paused: false,
  /** How the last run ended: `completed`, `stopped` or `failed`. */
  reason: undefined as string | undefined,
  error: undefined as string | undefined,
};
(window as unknown as { playground: typeof state }).playground = state;

let worker: Worker | undefined;
const send = (message: ToWorker) => worker?.postMessage(message);

function setState(next: typeof state.state): void {
  state.state = next;
  document.body.dataset.state = next;
  const running = next === 'running' || next === 'paused';
  buttons.start.disabled = running;
  buttons.pause.disabled = !running;
  buttons.stop.disabled = !running;
  buttons.pause.textContent = next === 'paused' ? 'Resume' : 'Pause';
  buttons.pause.setAttribute('aria-pressed', String(next === 'paused'));
  buttons.download.disabled = next !== 'finished' || state.results === undefined;
  for (const input of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select'))
    input.disabled = running;
}

function chooseJob(job: JobId): void {
  state.job = job;
  const { blurb, length } = JOB_DESCRIPTIONS[job];
  $('blurb').textContent = blurb;
  $('length-label').textContent = length.label;
  $<HTMLInputElement>('length').value = String(length.value);
}

function redraw(): void {
  const series: ChartSeries[] = [
    {
      label: JOB_DESCRIPTIONS[state.job].model,
      points: state.evaluations.map((e) => ({ x: e.step, y: e.value })),
      color: LEARNED_COLOR,
    },
  ];
  const last = Math.max(1, ...state.evaluations.map((e) => e.step));
  state.reference.entries.forEach((entry, i) => {
    series.push({
      label: entry.label,
      points: [
        { x: 0, y: entry.value },
        { x: last, y: entry.value },
      ],
      color: COLORS[i % COLORS.length]!,
      dashed: true,
    });
  });
  renderLineChart(chart, series, state.unit, state.objective || 'held-out value');
  $('legend').replaceChildren(
    ...series.map((s) => {
      const item = document.createElement('li');
      item.textContent = s.label;
      item.style.setProperty('--color', s.color);
      if (s.dashed) item.className = 'dashed';
      return item;
    }),
  );
  const rows = [
    ...(state.evaluations.length > 0 ? [[`${series[0]!.label}, best so far`, bestValue().toFixed(4)]] : []),
    ...state.reference.entries.map((e) => [e.label, e.value.toFixed(4)]),
  ];
  $('value-heading').textContent = state.objective || 'Value';
  $('results')
    .querySelector('tbody')!
    .replaceChildren(
      ...rows.map(([name, value]) => {
        const row = document.createElement('tr');
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = name!;
        const td = document.createElement('td');
        td.textContent = value!;
        row.append(th, td);
        return row;
      }),
    );
}

function bestValue(): number {
  const values = state.evaluations.map((e) => e.value);
  return state.higherIsBetter ? Math.max(...values) : Math.min(...values);
}

function onMessage(message: FromWorker): void {
  switch (message.type) {
    case 'backend':
      state.backend = message.name;
      state.timings.backend = performance.now();
      state.backendDetail = message.detail;
      status.textContent = `Running on ${message.name}: ${message.detail}`;
      break;
    case 'status':
      status.textContent = `${state.backend ? `${state.backend}: ` : ''}${message.text}`;
      break;
    case 'reference':
      state.reference = message.reference;
      state.timings.baselines = performance.now();
      redraw();
      break;
    case 'paused':
      state.paused = true;
      status.textContent = `${state.backend}: paused after ${state.unit} ${progress.value} of ${progress.max}.`;
      break;
    case 'first-step':
      state.timings.firstStep = performance.now();
      break;
    case 'event': {
      const event = message.event;
      if (event.type === 'start') {
        state.objective = event.objective.name;
        state.higherIsBetter = event.objective.higherIsBetter;
        state.unit = event.unit;
        progress.max = event.total;
      } else if (event.type === 'progress') {
        progress.value = event.step;
        state.stepMs.push(event.ms);
        const last = state.evaluations.at(-1);
        status.textContent = `${state.backend}: ${state.unit} ${event.step} of ${progress.max}${last ? `; held-out ${last.value.toFixed(4)}` : ''}`;
      } else if (event.type === 'evaluation') {
        const e = event as TrainEvaluationEvent;
        state.evaluations.push({ step: e.step, value: e.value, best: e.best });
        redraw();
      }
      break;
    }
    case 'text':
      $('comparison').hidden = false;
      $('comparison').textContent += message.text;
      break;
    case 'finished': {
      state.results = message.results;
      state.reason = message.reason;
      setState('finished');
      status.textContent = `Training ${message.reason} on ${state.backend}. Best ${state.objective}: ${bestValue().toFixed(4)}.`;
      const use = $('how-to-use');
      use.hidden = false;
      const { folder, command } = JOB_DESCRIPTIONS[state.job].savedModel;
      use.textContent = `The download is the folder metagrad saves (${folder}/): unzip it and run \`${command}\`.`;
      break;
    }
    case 'download': {
      const url = URL.createObjectURL(new Blob([message.bytes as BlobPart], { type: 'application/zip' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = message.name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      break;
    }
    case 'error':
      state.error = message.message;
      setState('error');
      status.textContent = `Training failed: ${message.message}`;
      break;
  }
}

function start(): void {
  worker?.terminate();
  Object.assign(state, {
    evaluations: [],
    reference: { entries: [], curves: [] },
    timings: { start: performance.now() },
    stepMs: [],
    results: undefined,
    reason: undefined,
    error: undefined,
    backend: '',
  });
  $('comparison').textContent = '';
  $('comparison').hidden = true;
  $('how-to-use').hidden = true;
  progress.value = 0;
  redraw();
  const data = new FormData(form);
  const backend = data.get('backend') as PlaygroundBackend;
  const lengthField = JOB_DESCRIPTIONS[state.job].length.field;
  worker = new Worker(new URL('./training-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  worker.onerror = (event) =>
    onMessage({ type: 'error', message: event.message || 'the training worker failed to load' });
  setState('running');
  send({
    type: 'start',
    job: state.job,
    backend,
    settings: {
      ...fromAddress.settings,
      [lengthField]: Number(data.get('length')),
      seed: Number(data.get('seed')),
      workers: Number(data.get('workers')),
    },
  });
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (form.reportValidity()) start();
});
form.addEventListener('change', (event) => {
  const target = event.target as HTMLInputElement;
  if (target.name === 'job') chooseJob(target.value as JobId);
});
buttons.pause.addEventListener('click', () => {
  const pausing = state.state === 'running';
  send({ type: pausing ? 'pause' : 'resume' });
  state.paused = false;
  setState(pausing ? 'paused' : 'running');
  status.textContent = pausing ? 'Pausing after the current step…' : 'Resumed.';
});
buttons.stop.addEventListener('click', () => {
  send({ type: 'stop' });
  status.textContent = 'Stopping after the current step…';
});
buttons.download.addEventListener('click', () => send({ type: 'download' }));

const fromAddress = settingsFromAddress(location.search);
chooseJob(fromAddress.job ?? 'l2l');
$<HTMLInputElement>(`job-${state.job}`).checked = true;
$<HTMLInputElement>('workers').max = String(navigator.hardwareConcurrency || 1);
for (const field of ['length', 'seed', 'workers'] as const) {
  const value = fromAddress.form[field];
  if (value !== undefined) $<HTMLInputElement>(field).value = String(value);
}
if (Object.keys(fromAddress.settings).length > 0) {
  const note = $('address-settings');
  note.hidden = false;
  note.textContent = `Also set by the page's address: ${Object.entries(fromAddress.settings)
    .map(([field, value]) => `${field} = ${value}`)
    .join(', ')}.`;
}
setState('idle');
void supportedBackends().then(({ backends, problem }) => {
  const select = $<HTMLSelectElement>('backend');
  for (const option of select.options)
    option.disabled = !backends.includes(option.value as PlaygroundBackend);
  if (backends.length > 0)
    select.value =
      fromAddress.backend && backends.includes(fromAddress.backend) ? fromAddress.backend : backends[0]!;
  if (problem) {
    const alert = $('unsupported');
    alert.hidden = false;
    alert.textContent = problem;
  }
  if (backends.length === 0) buttons.start.disabled = true;
});
