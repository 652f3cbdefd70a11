import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { tfRecord } from './tfrecord.js';

// The parts of tensorflow/core/util/event.proto and summary.proto that scalars need.
const root = protobuf.Root.fromJSON({
  nested: {
    // simple_value is a member of summary.proto's `oneof value`: set members are written even when
    // 0. Declared as a plain field, protobufjs would drop every value equal to 0.
    SummaryValue: {
      oneofs: { value: { oneof: ['simpleValue'] } },
      fields: { tag: { type: 'string', id: 1 }, simpleValue: { type: 'float', id: 2 } },
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

/** Encodes a TensorBoard `Event` protobuf. */
export function encodeEvent(event: {
  wallTime: number;
  step?: number;
  fileVersion?: string;
  scalars?: { tag: string; value: number }[];
}): Uint8Array {
  const message: Record<string, unknown> = { wallTime: event.wallTime };
  if (event.step !== undefined) message.step = event.step;
  if (event.fileVersion !== undefined) message.fileVersion = event.fileVersion;
  if (event.scalars)
    message.summary = { value: event.scalars.map((s) => ({ tag: s.tag, simpleValue: s.value })) };
  return EventType.encode(EventType.fromObject(message)).finish();
}

/** Decodes one TensorBoard `Event` protobuf back to its scalars (the inverse of {@link encodeEvent}). */
export function decodeEvent(bytes: Uint8Array): {
  wallTime: number;
  step: number;
  scalars: { tag: string; value: number }[];
} {
  const event = EventType.toObject(EventType.decode(bytes), { longs: Number, defaults: true }) as {
    wallTime: number;
    step: number;
    summary?: { value?: { tag: string; simpleValue?: number }[] };
  };
  return {
    wallTime: event.wallTime,
    step: event.step,
    scalars: (event.summary?.value ?? []).map((v) => ({ tag: v.tag, value: v.simpleValue ?? Number.NaN })),
  };
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
  const path = join(dir, `events.out.tfevents.${Math.floor(start)}.${hostname()}`);
  writeFileSync(path, Buffer.concat(records));
  return path;
}
