#!/usr/bin/env node
// The chronik executable. It runs the CLI from an esbuild bundle under dist/cli, rebuilt here whenever
// a source file is newer (see ../build/bundle.mjs): transpiling ~200 TypeScript modules through tsx on
// every start took seconds. When the bundle cannot be built (dist/ not writable, a source that does
// not compile) or CHRONIK_TSX=1, it loads the sources through tsx, so errors read as they always did.
import { loadBundledCli } from "../build/bundle.mjs";

const cli = (process.env.CHRONIK_TSX !== "1" && (await loadBundledCli())) || (await loadSources());
process.exitCode = await cli.main(process.argv.slice(2));

async function loadSources() {
  const { register } = await import("tsx/esm/api");
  register();
  return import("../src/cli/main.ts");
}
