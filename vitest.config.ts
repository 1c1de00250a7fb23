import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['__test__/**/*.spec.ts'],
    globalSetup: ['__test__/helpers/require-build.ts'],
    // The addon is loaded once per worker; forks isolate native state between files.
    pool: 'forks',
    // Conformance files replay ~600 reference cases each; generous on a shared 2-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
