import type { Logger } from "../../../../shared/log.ts";
import { firstKeylessBatch } from "../../storage/cleaner/batch-records.ts";
import { cleanupPolicy } from "../../storage/cleaner/settings.ts";
import { BATCH } from "../../storage/record-batch.ts";
import type { BrokerContext } from "../broker-context.ts";
import { type Handler, NO_RESPONSE } from "../handler-types.ts";
import { recordsToBuffer } from "../protocol/codec.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { ProduceRequest } from "../protocol/generated/produce-request.ts";
import type {
  PartitionProduceResponse,
  ProduceResponse,
  TopicProduceResponse,
} from "../protocol/generated/produce-response.ts";
import { Attr, Compression, splitBatches } from "../protocol/record-batch.ts";
import type { RecordsData } from "../protocol/writer.ts";
import { leaderReplica } from "./replica-lookup.ts";

// Produce v7 is the first version whose clients may send zstd (KIP-110).
const FIRST_ZSTD_VERSION = 7;

interface Outcome {
  errorCode: number;
  baseOffset?: number;
  logStartOffset?: number;
  errorMessage?: string;
}

function partitionResponse(index: number, o: Outcome): PartitionProduceResponse {
  return {
    index,
    errorCode: o.errorCode,
    baseOffset: BigInt(o.errorCode === 0 ? (o.baseOffset ?? -1) : -1),
    // -1: the broker keeps the producer's CreateTime (no LogAppendTime topics).
    logAppendTimeMs: -1n,
    logStartOffset: BigInt(o.logStartOffset ?? -1),
    recordErrors: [],
    errorMessage: o.errorMessage ?? null,
  };
}

// Kafka's checks on a partition's payload before it reaches the log (ProduceRequest.validateRecords
// plus the batch framing and CRC).
function checkRecords(records: RecordsData | null, version: number): { batches: Buffer[] } | Outcome {
  const buf = recordsToBuffer(records);
  if (buf === null || buf.length === 0) {
    return {
      errorCode: ErrorCode.INVALID_RECORD,
      errorMessage: "a produce request must carry at least one record batch per partition",
    };
  }
  const split = splitBatches(buf);
  if (!split.ok) return { errorCode: split.errorCode, errorMessage: split.reason };
  // Every batch is magic 2 here: splitBatches refuses the others.
  for (const b of split.batches) {
    const codec = b.readInt16BE(BATCH.attributes) & Attr.COMPRESSION_MASK;
    if (codec === Compression.ZSTD && version < FIRST_ZSTD_VERSION) {
      return {
        errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
        errorMessage: "zstd needs produce v7 or later",
      };
    }
  }
  return { batches: split.batches };
}

// Kafka's limit on one record batch as sent (after compression): the topic's max.message.bytes.
function oversized(configs: Readonly<Record<string, string>> | undefined, batches: Buffer[]): Outcome | null {
  const limit = Number(configs?.["max.message.bytes"] ?? Number.POSITIVE_INFINITY);
  const big = batches.find((b) => b.length > limit);
  if (!big) return null;
  return {
    errorCode: ErrorCode.MESSAGE_TOO_LARGE,
    errorMessage: `a record batch of ${big.length} bytes exceeds max.message.bytes (${limit})`,
  };
}

// A compacted topic takes keyed records only (Kafka's LogValidator), compressed batches included.
async function checkKeys(topic: string, batches: Buffer[]): Promise<Outcome | null> {
  try {
    if ((await firstKeylessBatch(batches)) < 0) return null;
  } catch (err) {
    return { errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: (err as Error).message };
  }
  return {
    errorCode: ErrorCode.INVALID_RECORD,
    errorMessage: `compacted topic ${topic} cannot accept a record without a key`,
  };
}

async function producePartition(
  ctx: BrokerContext,
  logger: Logger,
  req: ProduceRequest,
  version: number,
  topic: string,
  internal: boolean,
  index: number,
  records: RecordsData | null,
): Promise<Outcome> {
  if (internal) {
    return {
      errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
      errorMessage: `cannot produce to internal topic ${topic}`,
    };
  }
  const found = leaderReplica(ctx, topic, index);
  if ("errorCode" in found) return found;
  const checked = checkRecords(records, version);
  if (!("batches" in checked)) return checked;
  const configs = ctx.replicaConfigs(topic, index);
  const tooLarge = oversized(configs, checked.batches);
  if (tooLarge) return tooLarge;
  // Only a compacted topic pays for looking inside the batches (and for the await).
  if (configs && cleanupPolicy(configs).compact) {
    const keyless = await checkKeys(topic, checked.batches);
    if (keyless) return keyless;
  }
  try {
    return await found.replica.produce(checked.batches, req.acks, req.timeoutMs);
  } catch (err) {
    logger.warn({ err, topic, partition: index }, "produce failed");
    return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: "produce failed on the broker" };
  }
}

// Produce v0-9. The partitions of one request are appended concurrently; acks=0 gets no response
// (as in Kafka, a failure then closes the connection so the client notices).
export function createProduceHandler(ctx: BrokerContext, logger: Logger): Handler<0> {
  return async (req, rctx) => {
    const version = rctx.apiVersion;
    const validAcks = req.acks === -1 || req.acks === 0 || req.acks === 1;
    const responses: TopicProduceResponse[] = await Promise.all(
      req.topicData.map(async (t) => {
        // Once per topic: the metadata view copies the topic's partitions.
        const internal = ctx.metadata.topic(t.name)?.isInternal ?? false;
        return {
          name: t.name,
          partitionResponses: await Promise.all(
            t.partitionData.map(async (p) => {
              const outcome: Outcome = validAcks
                ? await producePartition(ctx, logger, req, version, t.name, internal, p.index, p.records)
                : { errorCode: ErrorCode.INVALID_REQUIRED_ACKS };
              return partitionResponse(p.index, outcome);
            }),
          ),
        };
      }),
    );
    if (req.acks === 0) {
      const failed = responses.flatMap((t) =>
        t.partitionResponses
          .filter((p) => p.errorCode !== 0)
          .map((p) => `${t.name}-${p.index}: ${p.errorCode}`),
      );
      if (failed.length > 0) throw new Error(`acks=0 produce failed (${failed.join(", ")})`);
      return NO_RESPONSE;
    }
    const res: ProduceResponse = { responses, throttleTimeMs: 0 };
    return res;
  };
}
