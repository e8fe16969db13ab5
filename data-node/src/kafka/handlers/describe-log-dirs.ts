import type { BrokerContext, LogDirDescription } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { DescribeLogDirsRequest } from "../protocol/generated/describe-log-dirs-request.ts";
import type {
  DescribeLogDirsResponse,
  DescribeLogDirsResult,
  DescribeLogDirsTopic,
} from "../protocol/generated/describe-log-dirs-response.ts";

// As Kafka lists a log dir: every topic with a replica in it, each with the requested partitions it
// holds (null topics: all of them). Replicas are never moving between dirs, so there is no lag and no
// future replica.
function topicsOf(dir: LogDirDescription, wanted: DescribeLogDirsRequest["topics"]): DescribeLogDirsTopic[] {
  const asked = wanted && new Set(wanted.flatMap((t) => t.partitions.map((p) => `${t.topic}\u0000${p}`)));
  const topics = new Map<string, DescribeLogDirsTopic>();
  for (const p of dir.partitions) {
    let topic = topics.get(p.topic);
    if (!topic) topics.set(p.topic, (topic = { name: p.topic, partitions: [] }));
    if (asked && !asked.has(`${p.topic}\u0000${p.partition}`)) continue;
    topic.partitions.push({
      partitionIndex: p.partition,
      partitionSize: BigInt(p.sizeBytes),
      offsetLag: 0n,
      isFutureKey: false,
    });
  }
  return [...topics.values()];
}

// DescribeLogDirs v0-4 (KIP-113; v4 adds the file system's total and usable bytes, KIP-827).
export function createDescribeLogDirsHandler(ctx: BrokerContext): Handler<35> {
  return async (req) => {
    const dir = await ctx.logDir();
    const result: DescribeLogDirsResult = dir.space
      ? {
          errorCode: 0,
          logDir: dir.path,
          topics: topicsOf(dir, req.topics),
          totalBytes: BigInt(dir.space.totalBytes),
          usableBytes: BigInt(dir.space.usableBytes),
        }
      : {
          errorCode: ErrorCode.KAFKA_STORAGE_ERROR,
          logDir: dir.path,
          topics: [],
          totalBytes: -1n,
          usableBytes: -1n,
        };
    const res: DescribeLogDirsResponse = { throttleTimeMs: 0, errorCode: 0, results: [result] };
    return res;
  };
}
