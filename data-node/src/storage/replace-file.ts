import fs from "node:fs";
import path from "node:path";
import type { SyncOps } from "./sync-ops.ts";

// Writes a temporary file and renames it over `name`: a reader sees the old file or the new one.
// With `sync`, the data and then the rename are made durable.
export async function replaceFile(
  dir: string,
  name: string,
  data: string | Uint8Array,
  sync: SyncOps | null,
): Promise<void> {
  const tmp = path.join(dir, `${name}.tmp`);
  const handle = await fs.promises.open(tmp, "w");
  try {
    await handle.writeFile(data);
    if (sync) await sync.fdatasync(handle.fd);
  } finally {
    await handle.close();
  }
  await fs.promises.rename(tmp, path.join(dir, name));
  if (sync) await sync.fsyncDir(dir);
}
