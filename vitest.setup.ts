import { useBackend } from './packages/core/src/backend/backend.ts';

// Every test file runs on the backend named by METAGRAD_BACKEND (default wasm); CI runs the
// core suite once more on cpu.
await useBackend(process.env.METAGRAD_BACKEND ?? 'wasm');
