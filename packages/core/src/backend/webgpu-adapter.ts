import { platform } from '#platform';
import type { WebGpuAdapterChoice } from './webgpu-adapter-choice.js';

export {
  NO_ADAPTER,
  WEBGPU_SYSTEM_PACKAGES,
  type WebGpuAdapterChoice,
} from './webgpu-adapter-choice.js';

let found: Promise<WebGpuAdapterChoice> | undefined;

/**
 * Finds a WebGPU adapter: a browser's own (`navigator.gpu`), or under Node one of Dawn's (the npm
 * `webgpu` package). The search runs once per process; a failure says what was tried and what to
 * install.
 */
export function findWebGpuAdapter(): Promise<WebGpuAdapterChoice> {
  found ??= platform.findWebGpuAdapter();
  return found;
}
