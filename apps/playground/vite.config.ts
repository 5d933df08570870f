import { defineConfig } from 'vite';

export default defineConfig({
  // Relative asset URLs: the built folder works from any path of any static host, or opened from a subfolder.
  base: './',
  build: {
    outDir: 'dist',
    target: 'es2022',
    // tfjs and its backends are one large chunk by nature; the warning would only repeat that.
    chunkSizeWarningLimit: 4096,
  },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
