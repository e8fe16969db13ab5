import { type Entry, EntryType } from "../raft/types.ts";
import type { CleanDecision } from "../storage/cleaner/log-cleaner.ts";

// Non-data entries of a partition's Raft log that change the log itself on every replica, at the same
// point of the log: a compaction decision and a DeleteRecords. Like no-ops they take a Raft index and
// no Kafka offsets. A control entry is a Normal entry whose byte 16, where a record batch has its
// magic (always 2), holds the kind instead; the storage layer keeps it in a private frame.

export type ControlEntry =
  | { kind: "clean"; decision: CleanDecision }
  | { kind: "delete-records"; logStartOffset: number };

const TAG = Buffer.from("chronik.control/");
const KIND_AT = TAG.length;
const KINDS = { clean: 0x43, "delete-records": 0x44 } as const;

export function encodeControlEntry(c: ControlEntry): Buffer {
  const body = c.kind === "clean" ? c.decision : { logStartOffset: c.logStartOffset };
  return Buffer.concat([TAG, Buffer.from([KINDS[c.kind]]), Buffer.from(JSON.stringify(body))]);
}

export function decodeControlEntry(e: Entry): ControlEntry | null {
  // Data batches (magic 2 at byte 16) are ruled out first: this runs for every applied entry.
  if (e.type !== EntryType.Normal || e.data.byteLength <= KIND_AT || e.data[KIND_AT] === 2) return null;
  const data = Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength);
  if (!data.subarray(0, KIND_AT).equals(TAG)) return null;
  const body = JSON.parse(data.subarray(KIND_AT + 1).toString("utf8"));
  switch (data[KIND_AT]) {
    case KINDS.clean:
      return { kind: "clean", decision: body as CleanDecision };
    case KINDS["delete-records"]:
      return { kind: "delete-records", logStartOffset: (body as { logStartOffset: number }).logStartOffset };
    default:
      return null;
  }
}
