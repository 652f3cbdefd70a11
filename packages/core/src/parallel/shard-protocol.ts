/**
 * The message protocol between a trainer and its gradient workers: a request names a method and
 * carries plain data (numbers, strings, typed arrays); the reply carries the result or the error's
 * name and message. Nothing here depends on how messages travel, so the same handlers can serve
 * worker threads today and another transport (processes, machines) later.
 */

/** A request to one worker. */
export interface ShardRequest {
  id: number;
  method: string;
  payload: unknown;
}

/** A worker's reply to the request with the same id. */
export type ShardReply =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { name: string; message: string } };

/** Methods a worker serves: each takes a request's payload and returns its result. */
export type ShardHandlers = Record<string, (payload: never) => unknown>;

/**
 * Methods of a handlers module (its export `shardSessions`) that keep state on the worker between
 * requests: a start builds it, the requests after it use it, an end drops it. A transport whose
 * consecutive requests may reach different processes replays the start where it is missing.
 */
export interface ShardSessions {
  starts: readonly string[];
  ends: readonly string[];
}

/** One worker, however it is reached. */
export interface ShardTransport {
  /** Sends `method(payload)` and resolves with the worker's result (rejects with its error). */
  call<T>(method: string, payload: unknown): Promise<T>;
  /** Stops the worker. */
  close(): Promise<void>;
}

/** An error a worker raised, re-thrown on the trainer's side with the worker's name and message. */
export class ShardError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Answers one request with `handlers` (the worker side of every transport). */
export async function answer(handlers: ShardHandlers, request: ShardRequest): Promise<ShardReply> {
  const handler = handlers[request.method];
  try {
    if (!handler) throw new Error(`unknown shard method ${request.method}`);
    return { id: request.id, ok: true, result: await handler(request.payload as never) };
  } catch (error) {
    const e = error as Error;
    return { id: request.id, ok: false, error: { name: e.name ?? 'Error', message: e.message ?? String(e) } };
  }
}

/**
 * Splits `total` items into `parts` contiguous ranges, as even as possible, earlier ranges one
 * longer: the fixed split every worker count uses. Empty ranges are dropped.
 */
export function shardRanges(total: number, parts: number): { start: number; count: number }[] {
  const ranges: { start: number; count: number }[] = [];
  let start = 0;
  for (let p = 0; p < parts; p++) {
    const count = Math.floor(total / parts) + (p < total % parts ? 1 : 0);
    if (count > 0) ranges.push({ start, count });
    start += count;
  }
  return ranges;
}

/**
 * Σ_s w_s · x_s elementwise over shards, accumulated in shard order in float32: the same inputs
 * and worker count always give the same bits.
 */
export function weightedSum(parts: Float32Array[], weights: number[]): Float32Array {
  const out = new Float32Array(parts[0]!.length);
  parts.forEach((part, s) => {
    const w = weights[s]!;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! + w * part[i]!;
  });
  return out;
}
