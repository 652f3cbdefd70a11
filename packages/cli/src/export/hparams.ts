import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { encodeEvent, encodePluginEvent, eventFileName } from './tensorboard.js';
import { tfRecord } from './tfrecord.js';

// The messages of TensorBoard's HParams plugin (tensorboard/plugins/hparams/api.proto and
// plugin_data.proto) and the part of google.protobuf.Value they use.
// A map field (`keyType`) is not in protobufjs's descriptor types, though fromJSON reads it.
const descriptor = {
  nested: {
    Value: {
      oneofs: { kind: { oneof: ['numberValue', 'stringValue', 'boolValue'] } },
      fields: {
        numberValue: { type: 'double', id: 2 },
        stringValue: { type: 'string', id: 3 },
        boolValue: { type: 'bool', id: 4 },
      },
    },
    ListValue: { fields: { values: { rule: 'repeated', type: 'Value', id: 1 } } },
    Interval: { fields: { minValue: { type: 'double', id: 1 }, maxValue: { type: 'double', id: 2 } } },
    HParamInfo: {
      oneofs: { domain: { oneof: ['domainDiscrete', 'domainInterval'] } },
      fields: {
        name: { type: 'string', id: 1 },
        type: { type: 'int32', id: 4 },
        domainDiscrete: { type: 'ListValue', id: 5 },
        domainInterval: { type: 'Interval', id: 6 },
      },
    },
    MetricName: { fields: { group: { type: 'string', id: 1 }, tag: { type: 'string', id: 2 } } },
    MetricInfo: {
      fields: {
        name: { type: 'MetricName', id: 1 },
        displayName: { type: 'string', id: 3 },
        datasetType: { type: 'int32', id: 5 },
      },
    },
    Experiment: {
      fields: {
        description: { type: 'string', id: 1 },
        timeCreatedSecs: { type: 'double', id: 3 },
        hparamInfos: { rule: 'repeated', type: 'HParamInfo', id: 4 },
        metricInfos: { rule: 'repeated', type: 'MetricInfo', id: 5 },
        name: { type: 'string', id: 6 },
      },
    },
    SessionStartInfo: {
      fields: {
        hparams: { keyType: 'string', type: 'Value', id: 1 },
        modelUri: { type: 'string', id: 2 },
        groupName: { type: 'string', id: 4 },
        startTimeSecs: { type: 'double', id: 5 },
      },
    },
    SessionEndInfo: { fields: { status: { type: 'int32', id: 1 }, endTimeSecs: { type: 'double', id: 2 } } },
    HParamsPluginData: {
      oneofs: { data: { oneof: ['experiment', 'sessionStartInfo', 'sessionEndInfo'] } },
      fields: {
        version: { type: 'int32', id: 1 },
        experiment: { type: 'Experiment', id: 2 },
        sessionStartInfo: { type: 'SessionStartInfo', id: 3 },
        sessionEndInfo: { type: 'SessionEndInfo', id: 4 },
      },
    },
  },
};
const root = protobuf.Root.fromJSON(descriptor as protobuf.INamespace);
const PluginDataType = root.lookupType('HParamsPluginData');

/** TensorBoard's session statuses. */
export const SESSION_STATUS = { unknown: 0, success: 1, failure: 2, running: 3 } as const;

/** A setting's value as the HParams plugin holds it: a number, a string or a boolean. */
export type HParamValue = number | string | boolean;

/** One run of a sweep as a session of the HParams dashboard. */
export interface HParamsSession {
  /** The run's folder under the log directory (its session name). */
  name: string;
  hparams: Record<string, HParamValue>;
  /** Sessions of one group differ only in seed: the dashboard aggregates them. */
  group: string;
  status: (typeof SESSION_STATUS)[keyof typeof SESSION_STATUS];
  startSeconds: number;
  endSeconds: number;
  modelUri: string;
}

/** The whole sweep: its settings with the values they take, and the metrics to show. */
export interface HParamsExperiment {
  name: string;
  description: string;
  createdSeconds: number;
  hparams: { name: string; values: HParamValue[] }[];
  /** Scalar tags the sessions log (`evaluation/held-out log10 final loss`), each with a display name. */
  metrics: { tag: string; displayName: string; validation: boolean }[];
}

function hparamValue(value: HParamValue) {
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return { stringValue: value };
}

const DATA_TYPE = { string: 1, boolean: 2, number: 3 } as const;

function hparamsEvent(tag: string, wallTime: number, data: Record<string, unknown>): Uint8Array {
  const content = PluginDataType.encode(PluginDataType.fromObject({ version: 0, ...data })).finish();
  return tfRecord(encodePluginEvent(wallTime, tag, 'hparams', content));
}

function header(wallTime: number): Uint8Array {
  return tfRecord(encodeEvent({ wallTime, fileVersion: 'brain.Event:2' }));
}

/** Writes the experiment summary (`_hparams_/experiment`) into the log directory's root. Returns the file. */
export function writeHParamsExperiment(logDir: string, experiment: HParamsExperiment): string {
  mkdirSync(logDir, { recursive: true });
  const hparamInfos = experiment.hparams.map(({ name, values }) => {
    const kind = typeof values[0] as keyof typeof DATA_TYPE;
    const numeric = values.every((v) => typeof v === 'number');
    return {
      name,
      type: DATA_TYPE[kind] ?? 1,
      ...(numeric
        ? {
            domainInterval: {
              minValue: Math.min(...(values as number[])),
              maxValue: Math.max(...(values as number[])),
            },
          }
        : { domainDiscrete: { values: values.map(hparamValue) } }),
    };
  });
  const metricInfos = experiment.metrics.map((m) => ({
    name: { group: '', tag: m.tag },
    displayName: m.displayName,
    datasetType: m.validation ? 2 : 1,
  }));
  const bytes = Buffer.concat([
    header(experiment.createdSeconds),
    hparamsEvent('_hparams_/experiment', experiment.createdSeconds, {
      experiment: {
        name: experiment.name,
        description: experiment.description,
        timeCreatedSecs: experiment.createdSeconds,
        hparamInfos,
        metricInfos,
      },
    }),
  ]);
  const path = join(logDir, eventFileName(experiment.createdSeconds));
  writeFileSync(path, bytes);
  return path;
}

/** Writes a session's start and end (`_hparams_/session_start_info`, `_hparams_/session_end_info`) into `dir`. */
export function writeHParamsSession(dir: string, session: HParamsSession): string {
  mkdirSync(dir, { recursive: true });
  const hparams = Object.fromEntries(Object.entries(session.hparams).map(([k, v]) => [k, hparamValue(v)]));
  const bytes = Buffer.concat([
    header(session.startSeconds),
    hparamsEvent('_hparams_/session_start_info', session.startSeconds, {
      sessionStartInfo: {
        hparams,
        modelUri: session.modelUri,
        groupName: session.group,
        startTimeSecs: session.startSeconds,
      },
    }),
    hparamsEvent('_hparams_/session_end_info', session.endSeconds, {
      sessionEndInfo: { status: session.status, endTimeSecs: session.endSeconds },
    }),
  ]);
  // A name of its own beside the scalars' event file in the same folder.
  const path = join(dir, `${eventFileName(session.startSeconds)}.hparams`);
  writeFileSync(path, bytes);
  return path;
}

/** Decodes an HParams summary's plugin content (for tests and readers). */
export function decodeHParamsPluginData(content: Uint8Array): Record<string, unknown> {
  return PluginDataType.toObject(PluginDataType.decode(content), {
    longs: Number,
    defaults: false,
  }) as Record<string, unknown>;
}
