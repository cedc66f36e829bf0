import { defineConfig } from 'vitest/config';

// The e2e tests spawn bin/kubectl-mtv, which runs dist/: `npm test` builds before it runs vitest. The workspace
// packages (packages/*) carry their own tests, run here with the CLI's.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    // a beforeAll that starts a sandbox (two API servers, an inventory, TLS keys) took over 10 s on a loaded CI machine
    hookTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
