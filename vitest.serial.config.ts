import { defineConfig } from "vitest/config";

/**
 * Tests that disturb shared services (PostgreSQL restarted under load) and so
 * must run alone, after the other suites: `npx vitest run --config vitest.serial.config.ts`.
 * The default config (vitest.config.ts) excludes test/faults-serial.
 */
export default defineConfig({
  test: {
    include: ["test/faults-serial/**/*.test.ts"],
    env: { PARLEY_PASSWORD_HASH_COST: "low" },
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: false,
  },
});
