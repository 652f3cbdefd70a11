/**
 * @metagrad/cli: the `metagrad` command line and its Ink dashboard. The library packages hold the
 * science; this package only drives runs, renders them and exports their results.
 *
 * @packageDocumentation
 * @module @metagrad/cli
 */

export {
  type DashboardState,
  initialDashboardState,
  reduceDashboard,
} from './dashboard/state/dashboard-state.js';
export { scalarsFromEvents, scalarsToCsv } from './export/scalars.js';
export { svgLineChart } from './export/svg-plot.js';
export { encodeEvent, writeTensorBoardScalars } from './export/tensorboard.js';
export { buildProgram } from './program.js';
export { registeredTrainers, registerTrainer } from './trainers/trainer-registry.js';
