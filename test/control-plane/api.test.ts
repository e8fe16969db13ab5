import { describe } from "vitest";
import { healthSuite } from "./suites/health.ts";
import { mirrorSuite } from "./suites/mirror.ts";
import { operatorSuite } from "./suites/operator.ts";
import { backends } from "./support/database.ts";
import { useHarness } from "./support/harness.ts";

// The whole API over each database backend: PGlite always, the Postgres server when DATABASE_URL is set.
for (const backend of backends()) {
  describe(`control plane API on ${backend}`, () => {
    const h = useHarness(backend);
    mirrorSuite(h);
    healthSuite(h);
    operatorSuite(h);
  });
}
