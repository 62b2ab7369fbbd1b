/**
 * Builds the web app into web/dist (`npm run build`); `npm run web:dev` serves it with hot reload
 * and forwards /api to a running `scalelab serve` (port 8080).
 *
 * The app imports the library's pure core from ../src; the one Node-flavoured import there,
 * csv-parse/sync, is pointed at csv-parse's browser build.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative asset URLs: the built app works wherever the server mounts it.
  base: './',
  plugins: [react()],
  resolve: {
    alias: { 'csv-parse/sync': 'csv-parse/browser/esm/sync' },
  },
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Vega and Vega-Lite make one large chunk; it is loaded once and cached (hashed name).
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
