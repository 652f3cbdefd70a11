/**
 * A GPU device failed under the computation: it was lost (driver reset, another process, the
 * device destroyed), ran out of memory, or rejected an operation. What was computed since is not
 * to be trusted; the message says what happened and, for memory, the size that failed.
 */
export class DeviceFailureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeviceFailureError';
  }
}

interface GpuErrorEvent {
  error?: { message?: string; constructor?: { name?: string } };
}

/** The parts of a `GPUDevice` watched. */
export interface WatchedDevice {
  lost: Promise<{ reason?: string; message?: string }>;
  addEventListener(type: 'uncapturederror', listener: (event: GpuErrorEvent) => void): void;
}

let pending: string | undefined;
let lostReason: string | undefined;
let onLost: Promise<never> | undefined;
const watched = new WeakSet<object>();

/**
 * Records a device's failures, which WebGPU reports asynchronously and otherwise only prints:
 * a lost device, and errors no error scope captured (out of memory, a rejected operation, after
 * which reads return zeros). {@link checkDevice} turns them into a {@link DeviceFailureError}.
 */
export function watchDevice(device: WatchedDevice): void {
  if (watched.has(device)) return;
  watched.add(device);
  device.addEventListener('uncapturederror', (event) => {
    const kind = event.error?.constructor?.name ?? 'GPUError';
    const text = (event.error?.message ?? 'unknown error').trim().split('\n')[0]!;
    pending ??=
      kind === 'GPUOutOfMemoryError' ? `out of GPU memory: ${text}` : `a GPU operation failed: ${text}`;
  });
  onLost = device.lost.then((info) => {
    lostReason = `the GPU device was lost (${info.reason ?? 'unknown'}): ${info.message ?? ''}`.trim();
    throw new DeviceFailureError(lostReason);
  });
  onLost.catch(() => {});
}

/**
 * Throws a {@link DeviceFailureError} if the watched device was lost, or reported an error since the
 * last check (each error is reported once; a lost device, every time).
 */
export function checkDevice(): void {
  if (lostReason) throw new DeviceFailureError(lostReason);
  if (pending) {
    const message = pending;
    pending = undefined;
    throw new DeviceFailureError(message);
  }
}

/** `read`, or a {@link DeviceFailureError} as soon as the watched device is lost (a read may never finish then). */
export async function unlessDeviceLost<T>(read: Promise<T>): Promise<T> {
  return onLost === undefined ? read : Promise.race([read, onLost]);
}
