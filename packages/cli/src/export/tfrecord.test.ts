import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scalarsFromEvents, scalarsToCsv } from './scalars.js';
import { decodeEvent, encodeEvent, writeTensorBoardScalars } from './tensorboard.js';
import { crc32c, maskedCrc32c, readTfRecords, tfRecord } from './tfrecord.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('TensorBoard encoding', () => {
  it('CRC-32C matches the standard check value and the masking rule', () => {
    expect(crc32c(bytes('123456789'))).toBe(0xe3069283);
    // mask(c) = ((c >>> 15) | (c << 17)) + 0xa282ead8
    expect(maskedCrc32c(bytes('123456789'))).toBe(0xc78ab0e5); // computed by hand from 0xe3069283
    expect(maskedCrc32c(new Uint8Array(0))).toBe(0xa282ead8);
  });

  it('frames a record as length, masked CRC of length, data, masked CRC of data', () => {
    const record = tfRecord(bytes('abc'));
    expect(record.length).toBe(8 + 4 + 3 + 4);
    expect(hex(record.subarray(0, 8))).toBe('0300000000000000');
    const view = new DataView(record.buffer);
    expect(view.getUint32(8, true)).toBe(maskedCrc32c(record.subarray(0, 8)));
    expect(hex(record.subarray(12, 15))).toBe(hex(bytes('abc')));
    expect(view.getUint32(15, true)).toBe(maskedCrc32c(bytes('abc')));
  });

  it('encodes Event protobufs byte for byte', () => {
    // wall_time = 1.0 (field 1, fixed64) then file_version (field 3, length-delimited).
    expect(hex(encodeEvent({ wallTime: 1, fileVersion: 'brain.Event:2' }))).toBe(
      `09000000000000f03f1a0d${hex(bytes('brain.Event:2'))}`,
    );
    // wall_time = 2.0; step = 3 (field 2, varint);
    // summary (field 5, 10 bytes) { value (field 1, 8 bytes) { tag (1) "a", simple_value (2, fixed32) 0.5f } }.
    expect(hex(encodeEvent({ wallTime: 2, step: 3, scalars: [{ tag: 'a', value: 0.5 }] }))).toBe(
      `${'090000000000000040'}${'1003'}${'2a0a'}${'0a08'}${'0a0161'}${'150000003f'}`,
    );
  });

  it('turns run events into scalar series and CSV', () => {
    const points = scalarsFromEvents([
      { type: 'start', time: 1000, unit: 'meta-step', total: 3 },
      { type: 'progress', time: 2000, step: 1, metrics: { metaLoss: 2.5 }, ms: 4 },
      { type: 'evaluation', time: 3000, step: 1, name: 'loss', value: -0.5, curve: [1, 2] },
    ]);
    expect(points).toEqual([
      { tag: 'progress/metaLoss', step: 1, value: 2.5, wallTime: 2 },
      { tag: 'progress/ms', step: 1, value: 4, wallTime: 2 },
      { tag: 'evaluation/loss', step: 1, value: -0.5, wallTime: 3 },
    ]);
    expect(scalarsToCsv(points)).toBe(
      'tag,step,value,wall_time\nprogress/metaLoss,1,2.5,2\nprogress/ms,1,4,2\nevaluation/loss,1,-0.5,3\n',
    );
  });

  it('round trip: every point of the CSV export, zeros included, is in the event file', () => {
    const points = scalarsFromEvents([
      { type: 'progress', time: 1000, step: 1, metrics: { metaLoss: 0, gradientNorm: 2 }, ms: 1 },
      { type: 'progress', time: 2000, step: 2, metrics: { metaLoss: 0, gradientNorm: 0 }, ms: 1 },
      { type: 'evaluation', time: 3000, step: 2, name: 'loss', value: 0.25 },
    ]);
    expect(points.filter((p) => p.value === 0)).toHaveLength(3);
    const file = readFileSync(writeTensorBoardScalars(mkdtempSync(join(tmpdir(), 'tb-')), points));
    const decoded: { tag: string; step: number; value: number }[] = [];
    for (const record of readTfRecords(file)) {
      const event = decodeEvent(record);
      for (const s of event.scalars) decoded.push({ tag: s.tag, step: event.step, value: s.value });
    }
    const csvRows = scalarsToCsv(points).trim().split('\n').slice(1);
    expect(decoded).toHaveLength(csvRows.length);
    for (const row of csvRows) {
      const [tag, step, value] = row.split(',');
      expect(decoded).toContainEqual({ tag, step: Number(step), value: Number(value) });
    }
  });
});
