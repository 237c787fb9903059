import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Builds run inference on every core; running test files side by side would only slow each down.
    fileParallelism: false,
  },
});
