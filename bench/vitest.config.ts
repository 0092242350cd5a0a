import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['*.test.ts', 'parts/**/*.test.ts'],
    testTimeout: 120_000,
  },
});
