import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach } from "vitest";

// A fresh temporary directory per call, removed after the test.
const made: string[] = [];

afterEach(() => {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

export function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "chronik-storage-"));
  made.push(d);
  return path.join(d, "log");
}
