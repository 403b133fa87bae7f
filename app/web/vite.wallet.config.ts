import { defineConfig } from 'vite';

// Builds the browser tests' Wallet Standard wallet into one IIFE script
// (test-results/test-wallet.js) that the tests inject with addInitScript.
export default defineConfig({
  build: {
    target: 'es2022',
    outDir: 'test-results/wallet',
    emptyOutDir: true,
    minify: false,
    lib: { entry: 'test/browser/wallet/test-wallet.ts', formats: ['iife'], name: 'EdgeFuelTestWallet', fileName: () => 'test-wallet.js' },
  },
});
