#!/usr/bin/env node
// The sources are TypeScript run directly (no build step): tsx's loader compiles them on import.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
