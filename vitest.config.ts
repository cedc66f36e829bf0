import { defineConfig } from 'vitest/config';

// The e2e tests spawn bin/kubectl-mtv, which runs dist/: `npm test` builds before it runs vitest.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
