import { z } from "zod";
import { type MetaRecord, metaRecordSchema } from "./records.ts";

// Wire form of __meta records inside a Raft entry's data:
//   byte 0      format version (1)
//   bytes 1..   UTF-8 JSON array of records
// One entry always carries a batch (usually of one), so a leader can commit related decisions atomically,
// e.g. fencing a lapsed broker and registering its new incarnation. JSON is plenty for metadata rates
// and keeps the log readable with ordinary tools. Decoding validates: the bytes come from disk or peers.

const FORMAT_V1 = 1;
const batchSchema = z.array(metaRecordSchema).min(1);
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export class MetaCodecError extends Error {
  override name = "MetaCodecError";
}

export function encodeMetaBatch(records: readonly MetaRecord[]): Uint8Array {
  if (records.length === 0) throw new MetaCodecError("a __meta entry needs at least one record");
  const json = encoder.encode(JSON.stringify(records));
  const out = new Uint8Array(json.length + 1);
  out[0] = FORMAT_V1;
  out.set(json, 1);
  return out;
}

export function decodeMetaBatch(bytes: Uint8Array): MetaRecord[] {
  if (bytes.length < 2) throw new MetaCodecError("__meta entry too short");
  if (bytes[0] !== FORMAT_V1) throw new MetaCodecError(`unknown __meta record format ${bytes[0]}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(bytes.subarray(1)));
  } catch (err) {
    throw new MetaCodecError(`__meta entry is not valid JSON: ${(err as Error).message}`);
  }
  const result = batchSchema.safeParse(parsed);
  if (!result.success) throw new MetaCodecError(`invalid __meta records: ${result.error.message}`);
  return result.data;
}

export function encodeMetaRecord(record: MetaRecord): Uint8Array {
  return encodeMetaBatch([record]);
}

export function decodeMetaRecord(bytes: Uint8Array): MetaRecord {
  const batch = decodeMetaBatch(bytes);
  if (batch.length !== 1) throw new MetaCodecError(`expected one __meta record, found ${batch.length}`);
  return batch[0];
}
