import { JOB_DESCRIPTIONS, type JobId } from './job-descriptions.js';
import type { PlaygroundBackend } from './protocol.js';

/** What a page address such as `?job=rl2&backend=wasm&iterations=20&batch=256` asks for. */
export interface AddressSettings {
  job?: JobId;
  backend?: PlaygroundBackend;
  /** The settings the form shows: the job's length, the seed and the gradient workers. */
  form: { length?: number; seed?: number; workers?: number };
  /** Any other trainer setting, as the `train` command's flags name them in camelCase; the trainer validates them. */
  settings: Record<string, unknown>;
}

/** `true`, `false` and numbers become what they say; anything else stays text. */
function parseValue(text: string): unknown {
  if (text === 'true' || text === 'false') return text === 'true';
  return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
}

/**
 * Reads a shareable configuration from the page's query string: the job, the backend, the length,
 * seed and workers the form shows, and any other setting of the job's trainer (checked by the
 * trainer when training starts; a bad one is reported by name there).
 */
export function settingsFromAddress(search: string): AddressSettings {
  const out: AddressSettings = { form: {}, settings: {} };
  const query = new URLSearchParams(search);
  const job = query.get('job');
  if (job === 'l2l' || job === 'rl2') out.job = job;
  const backend = query.get('backend');
  if (backend === 'webgpu' || backend === 'wasm') out.backend = backend;
  const lengthField = JOB_DESCRIPTIONS[out.job ?? 'l2l'].length.field;
  for (const [key, text] of query) {
    if (key === 'job' || key === 'backend') continue;
    const value = parseValue(text);
    const field = key === lengthField ? 'length' : key;
    if ((field === 'length' || field === 'seed' || field === 'workers') && typeof value === 'number')
      out.form[field] = value;
    else out.settings[key] = value;
  }
  return out;
}
