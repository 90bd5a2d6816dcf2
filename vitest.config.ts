import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests that restart shared services run alone, after the rest: vitest.serial.config.ts.
    exclude: [...configDefaults.exclude, "test/faults-serial/**"],
    // Cheaper password hashing for the hundreds of members the suites create (see hashPassword).
    env: { PARLEY_PASSWORD_HASH_COST: "low" },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: files run in parallel forks, each with its own database.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});
