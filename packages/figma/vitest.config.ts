import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Every file runs inference on the CPU; in parallel they would only slow each other down.
    fileParallelism: false,
  },
});
