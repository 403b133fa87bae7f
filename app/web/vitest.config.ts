import { defineConfig } from 'vitest/config';

// Unit tests (node): amounts, account decoding against the Rust client's
// fixtures, pool maths, error mapping. The browser tests have their own
// config (vitest.browser.config.ts).
export default defineConfig({
  test: { include: ['test/unit/**/*.test.ts'], environment: 'node' },
});
