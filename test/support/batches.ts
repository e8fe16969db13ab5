import { buildRecordBatch } from "../../data-node/src/kafka/protocol/record-batch.ts";

// A valid uncompressed v2 batch of key/value strings, optionally from an idempotent producer.
export function buildTestBatch(
  keys: string[],
  values: string[],
  producer?: { producerId: number; producerEpoch: number; baseSequence: number },
): Buffer {
  return buildRecordBatch(
    keys.map((k, i) => ({ key: Buffer.from(k), value: Buffer.from(values[i]) })),
    producer
      ? {
          producerId: BigInt(producer.producerId),
          producerEpoch: producer.producerEpoch,
          baseSequence: producer.baseSequence,
        }
      : {},
  );
}
