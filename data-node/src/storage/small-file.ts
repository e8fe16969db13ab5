import fs from "node:fs";
import path from "node:path";
import { crc32c } from "@node-rs/crc32";
import { CorruptLogError } from "./errors.ts";
import { replaceFile } from "./replace-file.ts";
import type { SyncOps } from "./sync-ops.ts";

// Small state files: "CHRK" | kind u8 | payload length u32 | payload | CRC-32C(kind..payload) u32.
// Replaced atomically: a reader sees the old file or the new one, never a mix.
const MAGIC = 0x4348524b;
const HEADER = 9;

export async function writeSmallFile(
  dir: string,
  name: string,
  kind: number,
  payload: Buffer,
  sync: SyncOps | null,
): Promise<void> {
  const file = Buffer.allocUnsafe(HEADER + payload.length + 4);
  file.writeUInt32BE(MAGIC, 0);
  file[4] = kind;
  file.writeUInt32BE(payload.length, 5);
  payload.copy(file, HEADER);
  file.writeUInt32BE(crc32c(file.subarray(4, HEADER + payload.length)), HEADER + payload.length);
  await replaceFile(dir, name, file, sync);
}

// The payload, or null when the file does not exist. A damaged file is corruption: rename is atomic,
// so a crash cannot produce one.
export function readSmallFile(dir: string, name: string, kind: number): Buffer | null {
  const file = path.join(dir, name);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  if (bytes.length < HEADER + 4 || bytes.readUInt32BE(0) !== MAGIC || bytes[4] !== kind) {
    throw new CorruptLogError(file, 0, "bad header");
  }
  const length = bytes.readUInt32BE(5);
  if (HEADER + length + 4 !== bytes.length) throw new CorruptLogError(file, 5, "length mismatch");
  if (crc32c(bytes.subarray(4, HEADER + length)) !== bytes.readUInt32BE(HEADER + length)) {
    throw new CorruptLogError(file, HEADER + length, "CRC-32C mismatch");
  }
  return bytes.subarray(HEADER, HEADER + length);
}
