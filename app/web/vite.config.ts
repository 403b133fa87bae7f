import { defineConfig } from 'vite';

// The app is a static bundle: `npm run build` writes dist/, `npm run preview`
// serves it on 127.0.0.1:4173. Relative base so dist/ works from any path.
export default defineConfig({
  base: './',
  build: { target: 'es2022', chunkSizeWarningLimit: 1024 },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
});
