import { platform } from '#platform';
/**
 * The common shape of every event a training loop emits. Packages extend it with their
 * own discriminated unions (`type` is the discriminant); sinks such as the JSONL writer and
 * the dashboard consume them without knowing the concrete union.
 */
export interface RunEvent {
  /** Event kind, e.g. `"progress"`, `"meta-loss"`, `"evaluation"`. */
  type: string;
  /** Milliseconds since the Unix epoch when the event was emitted. */
  time: number;
}

/** Something that consumes run events (a log writer, a dashboard, a test recorder). */
export interface EventSink<E extends RunEvent = RunEvent> {
  emit(event: E): void;
  /**
   * A sink the run cannot go on without (the metrics log): when it throws, {@link EventBus}
   * passes the error on and training stops, instead of detaching the sink.
   */
  readonly required?: boolean;
}

/**
 * Fans events out to several sinks; a sink that throws is reported once and then skipped,
 * so a broken dashboard never stops training. A `required` sink (the metrics log) that throws
 * stops training instead: a run must not go on without its record.
 *
 * @example
 * ```ts
 * const events = new EventBus<TrainEvent>([new JsonlWriter('metrics.jsonl'), consoleSink]);
 * events.emit({ type: 'progress', time: Date.now(), step: 1 });
 * ```
 */
export class EventBus<E extends RunEvent = RunEvent> implements EventSink<E> {
  private readonly sinks: EventSink<E>[];
  private readonly failed = new Set<EventSink<E>>();

  constructor(sinks: EventSink<E>[] = []) {
    this.sinks = [...sinks];
  }

  /** Adds a sink; returns a function that removes it. */
  subscribe(sink: EventSink<E>): () => void {
    this.sinks.push(sink);
    return () => {
      const i = this.sinks.indexOf(sink);
      if (i >= 0) this.sinks.splice(i, 1);
    };
  }

  emit(event: E): void {
    for (const sink of this.sinks) {
      if (this.failed.has(sink)) continue;
      try {
        sink.emit(event);
      } catch (error) {
        if (sink.required) throw error;
        this.failed.add(sink);
        platform.warn(`event sink failed and was detached: ${(error as Error).message}`);
      }
    }
  }
}

/** Collects events in memory; handy in tests and notebooks. */
export class MemorySink<E extends RunEvent = RunEvent> implements EventSink<E> {
  readonly events: E[] = [];
  emit(event: E): void {
    this.events.push(event);
  }
}
