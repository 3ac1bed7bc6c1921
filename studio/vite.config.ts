/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { sidecarProxy } from './sidecarProxy.ts';

export default defineConfig({
  plugins: [react(), sidecarProxy()],
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  // @polkadot/api with its type registry is most of the bundle (~1.3 MB minified); splitting it
  // would not make the first page usable sooner, since every chain page needs it.
  build: { chunkSizeWarningLimit: 1500 },
  test: { environment: 'node', include: ['src/**/*.test.ts', 'src/**/*.test.tsx'] },
});
