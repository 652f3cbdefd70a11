import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Histogram } from '@metagrad/core';
import protobuf from 'protobufjs';
import { tfRecord } from './tfrecord.js';

// The parts of tensorflow/core/util/event.proto, summary.proto and tensor.proto that scalars,
// histograms and plugin summaries (a plugin's metadata beside a null tensor) need.
const packed = { packed: true };
const root = protobuf.Root.fromJSON({
  nested: {
    HistogramProto: {
      fields: {
        min: { type: 'double', id: 1 },
        max: { type: 'double', id: 2 },
        num: { type: 'double', id: 3 },
        sum: { type: 'double', id: 4 },
        sumSquares: { type: 'double', id: 5 },
        bucketLimit: { rule: 'repeated', type: 'double', id: 6, options: packed },
        bucket: { rule: 'repeated', type: 'double', id: 7, options: packed },
      },
    },
    TensorShapeProto: { fields: {} },
    TensorProto: {
      fields: {
        dtype: { type: 'int32', id: 1 },
        tensorShape: { type: 'TensorShapeProto', id: 2 },
        floatVal: { rule: 'repeated', type: 'float', id: 5, options: packed },
      },
    },
    PluginData: { fields: { pluginName: { type: 'string', id: 1 }, content: { type: 'bytes', id: 2 } } },
    SummaryMetadata: { fields: { pluginData: { type: 'PluginData', id: 1 } } },
    // simple_value, histo and tensor are members of summary.proto's `oneof value`: set members are
    // written even when 0. Declared as plain fields, protobufjs would drop every value equal to 0.
    SummaryValue: {
      oneofs: { value: { oneof: ['simpleValue', 'histo', 'tensor'] } },
      fields: {
        tag: { type: 'string', id: 1 },
        simpleValue: { type: 'float', id: 2 },
        histo: { type: 'HistogramProto', id: 5 },
        tensor: { type: 'TensorProto', id: 8 },
        metadata: { type: 'SummaryMetadata', id: 9 },
      },
    },
    Summary: { fields: { value: { rule: 'repeated', type: 'SummaryValue', id: 1 } } },
    Event: {
      fields: {
        wallTime: { type: 'double', id: 1 },
        step: { type: 'int64', id: 2 },
        fileVersion: { type: 'string', id: 3 },
        summary: { type: 'Summary', id: 5 },
      },
    },
  },
});
const EventType = root.lookupType('Event');

/** One scalar point. */
export interface ScalarPoint {
  tag: string;
  step: number;
  value: number;
  /** Seconds since the Unix epoch. */
  wallTime: number;
}

/** One TensorBoard event: a file-version header, or the scalars and histograms of one step. */
export interface TensorBoardEvent {
  /** Seconds since the Unix epoch. */
  wallTime: number;
  step?: number;
  fileVersion?: string;
  scalars?: { tag: string; value: number }[];
  histograms?: { tag: string; histogram: Histogram }[];
}

/** Encodes a TensorBoard `Event` protobuf. */
export function encodeEvent(event: TensorBoardEvent): Uint8Array {
  const message: Record<string, unknown> = { wallTime: event.wallTime };
  if (event.step !== undefined) message.step = event.step;
  if (event.fileVersion !== undefined) message.fileVersion = event.fileVersion;
  const values = [
    ...(event.scalars ?? []).map((s) => ({ tag: s.tag, simpleValue: s.value })),
    ...(event.histograms ?? []).map(({ tag, histogram: h }) => ({
      tag,
      histo: {
        min: h.min,
        max: h.max,
        num: h.count,
        sum: h.sum,
        sumSquares: h.sumSquares,
        bucketLimit: h.limits,
        bucket: h.counts,
      },
    })),
  ];
  if (values.length > 0) message.summary = { value: values };
  return EventType.encode(EventType.fromObject(message)).finish();
}

/** Decodes one TensorBoard `Event` protobuf (the inverse of {@link encodeEvent}). */
export function decodeEvent(bytes: Uint8Array): Required<Omit<TensorBoardEvent, 'fileVersion'>> {
  type Histo = { min: number; max: number; num: number; sum: number; sumSquares: number };
  const event = EventType.toObject(EventType.decode(bytes), { longs: Number, defaults: true }) as {
    wallTime: number;
    step: number;
    summary?: {
      value?: {
        tag: string;
        simpleValue?: number;
        histo?: Histo & { bucketLimit: number[]; bucket: number[] };
        tensor?: unknown;
      }[];
    };
  };
  const values = event.summary?.value ?? [];
  return {
    wallTime: event.wallTime,
    step: event.step,
    scalars: values
      .filter((v) => !v.histo && !v.tensor)
      .map((v) => ({ tag: v.tag, value: v.simpleValue ?? Number.NaN })),
    histograms: values.flatMap(({ tag, histo: h }) =>
      h
        ? [
            {
              tag,
              histogram: {
                min: h.min,
                max: h.max,
                count: h.num,
                sum: h.sum,
                sumSquares: h.sumSquares,
                limits: h.bucketLimit,
                counts: h.bucket,
              },
            },
          ]
        : [],
    ),
  };
}

/**
 * Encodes an event holding one plugin summary: `content` under `plugin`'s name in the value's
 * metadata, beside the scalar 0 of type float that TensorBoard's own plugin writers attach.
 */
export function encodePluginEvent(
  wallTime: number,
  tag: string,
  plugin: string,
  content: Uint8Array,
): Uint8Array {
  const value = {
    tag,
    tensor: { dtype: 1, tensorShape: {}, floatVal: [0] },
    metadata: { pluginData: { pluginName: plugin, content } },
  };
  return EventType.encode(EventType.fromObject({ wallTime, summary: { value: [value] } })).finish();
}

/** Decodes an event's plugin summaries: each value's tag, plugin name and content. */
export function decodePluginEvent(bytes: Uint8Array): { tag: string; plugin: string; content: Uint8Array }[] {
  const event = EventType.toObject(EventType.decode(bytes), { defaults: false }) as {
    summary?: {
      value?: { tag: string; metadata?: { pluginData?: { pluginName: string; content: Uint8Array } } }[];
    };
  };
  return (event.summary?.value ?? []).map((v) => ({
    tag: v.tag,
    plugin: v.metadata?.pluginData?.pluginName ?? '',
    content: v.metadata?.pluginData?.content ?? new Uint8Array(),
  }));
}

/** The name of a new event file in a log directory: `events.out.tfevents.<seconds>.<host>`. */
export function eventFileName(wallTime: number): string {
  return `events.out.tfevents.${Math.floor(wallTime)}.${hostname()}`;
}

/**
 * Writes scalars as a TensorBoard event file (`events.out.tfevents.<time>.<host>`) in `dir`, so that
 * `tensorboard --logdir dir` shows them. Returns the file's path.
 *
 * @example
 * ```ts
 * writeTensorBoardScalars('runs/a/tensorboard', [{ tag: 'meta-loss', step: 1, value: 3.2, wallTime: 1.7e9 }]);
 * ```
 */
export function writeTensorBoardScalars(dir: string, points: ScalarPoint[]): string {
  mkdirSync(dir, { recursive: true });
  const start = points[0]?.wallTime ?? Date.now() / 1000;
  const records = [tfRecord(encodeEvent({ wallTime: start, fileVersion: 'brain.Event:2' }))];
  for (const p of points) {
    if (!Number.isFinite(p.value)) continue;
    records.push(
      tfRecord(
        encodeEvent({ wallTime: p.wallTime, step: p.step, scalars: [{ tag: p.tag, value: p.value }] }),
      ),
    );
  }
  const path = join(dir, eventFileName(start));
  writeFileSync(path, Buffer.concat(records));
  return path;
}
