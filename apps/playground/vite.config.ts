import { defineConfig } from 'vite';

// A static site: `pnpm playground:build` writes dist/, which any static file server can host.
export default defineConfig({
  // Relative asset URLs, so the build also works from a sub-path (a project's GitHub Pages).
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', reportCompressedSize: false, chunkSizeWarningLimit: 4096 },
  server: { port: 5173 },
});
