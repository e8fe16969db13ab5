#!/usr/bin/env node
// The chronik executable: loads the TypeScript sources through tsx (esbuild), so no build step
// stands between a checkout and a running cluster.
import { register } from "tsx/esm/api";

register();
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
