import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { expect, test } from "vitest";

const root = join(import.meta.dirname, "../../..");
const committed = join(root, "data-node/src/kafka/protocol/generated");

// The committed codecs are exactly what `npm run gen` writes from the definitions in the repository:
// an edit by hand, or a definition or generator change without regenerating, fails here.
test("the committed generated codecs match a fresh `npm run gen`", async () => {
  const out = mkdtempSync(join(tmpdir(), "chronik-gen-"));
  try {
    await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", join(root, "data-node/src/kafka/protocol/gen/main.ts")],
      { cwd: root, env: { ...process.env, KAFKA_GEN_OUT_DIR: out } },
    );
    const files = readdirSync(out).sort();
    expect(readdirSync(committed).sort()).toEqual(files);
    const differing = files.filter(
      (f) => readFileSync(join(out, f), "utf8") !== readFileSync(join(committed, f), "utf8"),
    );
    expect(differing).toEqual([]);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);
