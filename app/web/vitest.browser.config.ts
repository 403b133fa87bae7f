import { defineConfig } from 'vitest/config';

// Browser tests: a real local chain, the built app, headless Chromium and a
// Wallet Standard test wallet (see test/browser/harness.ts). One story, run
// in order. `npm run test:browser` builds the app and the wallet first.
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    sequence: { concurrent: false },
    testTimeout: 90_000,
    hookTimeout: 120_000,
  },
});
