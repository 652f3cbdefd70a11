import {
  EventBus,
  fileSystem,
  parseConfig,
  platform,
  type ReferenceResults,
  type TrainEvent,
  type TrainerDescriptor,
  type TrainerRun,
  type TrainSummary,
} from '@metagrad/core';

/** What {@link hostRun} needs: a trainer, its settings, and where its events go. */
export interface HostRunOptions {
  // biome-ignore lint/suspicious/noExplicitAny: any trainer's settings
  trainer: TrainerDescriptor<any>;
  settings: Record<string, unknown>;
  /** The run directory, on the platform's file system (memory, in a browser). */
  runDir: string;
  onEvent(event: TrainEvent): void;
  /** Awaited before every step: pausing is a promise that has not resolved yet. */
  beforeStep?(): Promise<void>;
  /** Text blocks the trainer prints (the final comparison table). */
  print?(text: string): void;
}

/** A run started by {@link hostRun}. */
export interface HostedRun {
  config: Record<string, unknown>;
  run: TrainerRun;
  /** Baselines on the run's own held-out tasks, when the trainer has them. */
  reference(): Promise<ReferenceResults | undefined>;
  /** Trains to the end (or a stop), saves what the run produced, and frees the run. */
  train(): Promise<{ summary: TrainSummary; results: Record<string, unknown> }>;
}

/**
 * Hosts a trainer's run as the `metagrad` command does, minus the terminal: settings completed,
 * validated and checked by the trainer's own descriptor (errors name the setting), the run
 * directory made, events handed to `onEvent`. It uses only what `@metagrad/core` offers on every
 * platform, so the page's Web Worker and a Node test run exactly the same code.
 */
export async function hostRun(options: HostRunOptions): Promise<HostedRun> {
  const { trainer } = options;
  const values = { ...options.settings };
  trainer.withDefaults?.(values, {}, 'none');
  const config = parseConfig(trainer.schema, values, trainer.name) as Record<string, unknown>;
  trainer.check?.(config);
  fileSystem().mkdirSync(options.runDir, { recursive: true });
  const events = new EventBus<TrainEvent>([{ emit: (event) => options.onEvent(event) }]);
  const run = await trainer.start(config, {
    runDir: options.runDir,
    events,
    checkpointDir: platform.joinPath(options.runDir, 'checkpoints'),
    checkpointNotes: () => ({}),
    beforeStep: options.beforeStep ?? (async () => {}),
    print: options.print ?? (() => {}),
    json: false,
  });
  return {
    config,
    run,
    reference: async () => (await run.reference?.()) ?? undefined,
    train: async () => {
      try {
        const summary = await run.train();
        return { summary, results: await run.finish(summary) };
      } finally {
        run.dispose();
      }
    },
  };
}
