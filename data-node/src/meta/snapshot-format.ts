import { z } from "zod";
import { brokerState } from "../../../shared/registry/snapshot.ts";
import { listenerRecordSchema, partitionAssignmentSchema } from "./records.ts";

// The on-disk form of a MetaImage snapshot (UTF-8 JSON). Validated on load: it comes from disk or from
// a leader's InstallSnapshot.

const imageSnapshotSchema = z.object({
  format: z.literal(1),
  appliedIndex: z.number().int().nonnegative(),
  appliedTerm: z.number().int().nonnegative(),
  nextProducerId: z.number().int().nonnegative(),
  brokers: z.array(
    z.object({
      nodeId: z.number().int().min(1),
      incarnationId: z.string(),
      epoch: z.number().int().nonnegative(),
      state: brokerState,
      listeners: z.array(listenerRecordSchema),
      raftAddress: z.string(),
      rack: z.string().nullable(),
      version: z.string(),
      registeredAt: z.number().int().nonnegative(),
    }),
  ),
  topics: z.array(
    z.object({
      name: z.string().min(1),
      id: z.string(),
      internal: z.boolean(),
      configs: z.record(z.string(), z.string()),
      partitions: z.array(partitionAssignmentSchema),
    }),
  ),
});

export type ImageSnapshot = z.infer<typeof imageSnapshotSchema>;

export function parseImageSnapshot(bytes: Uint8Array): ImageSnapshot {
  const parsed: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  const result = imageSnapshotSchema.safeParse(parsed);
  if (!result.success) throw new Error(`invalid __meta snapshot: ${result.error.message}`);
  return result.data;
}
