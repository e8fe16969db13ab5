import { defineConfig } from "vitest/config";

// Tiers run as separate projects so `npm test` runs all of them and `--project X` runs one.
// Tiers that start real processes or servers run their files one at a time: the ports are fixed.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      { test: { name: "sim", include: ["test/sim/**/*.test.ts"], testTimeout: 120_000 } },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
      {
        test: {
          name: "control-plane",
          include: ["test/control-plane/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          poolOptions: { forks: { singleFork: true } },
        },
      },
    ],
  },
});
