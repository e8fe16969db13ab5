import { type Logger, silentLogger } from "../../../../shared/log.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { HandlerTable } from "../handler-types.ts";
import { ApiKey } from "../protocol/generated/apis.ts";
import { createAlterConfigsHandler } from "./alter-configs.ts";
import { createCreatePartitionsHandler } from "./create-partitions.ts";
import { createCreateTopicsHandler } from "./create-topics.ts";
import { createDeleteRecordsHandler } from "./delete-records.ts";
import { createDeleteTopicsHandler } from "./delete-topics.ts";
import { createDescribeClusterHandler } from "./describe-cluster.ts";
import { createDescribeConfigsHandler } from "./describe-configs.ts";
import { createDescribeLogDirsHandler } from "./describe-log-dirs.ts";
import { createFetchHandler } from "./fetch.ts";
import { createIncrementalAlterConfigsHandler } from "./incremental-alter-configs.ts";
import { createInitProducerIdHandler } from "./init-producer-id.ts";
import { createListOffsetsHandler } from "./list-offsets.ts";
import { createOffsetForLeaderEpochHandler } from "./offset-for-leader-epoch.ts";
import { createProduceHandler } from "./produce.ts";

// The data and admin APIs: Produce, Fetch, ListOffsets, OffsetForLeaderEpoch, CreateTopics, DeleteTopics,
// InitProducerId, DescribeConfigs, AlterConfigs, IncrementalAlterConfigs, CreatePartitions,
// DescribeCluster, DescribeLogDirs.
export function createDataHandlers(ctx: BrokerContext, logger: Logger = silentLogger): HandlerTable {
  return {
    [ApiKey.Produce]: createProduceHandler(ctx, logger),
    [ApiKey.Fetch]: createFetchHandler(ctx),
    [ApiKey.ListOffsets]: createListOffsetsHandler(ctx),
    [ApiKey.OffsetForLeaderEpoch]: createOffsetForLeaderEpochHandler(ctx),
    [ApiKey.CreateTopics]: createCreateTopicsHandler(ctx),
    [ApiKey.DeleteTopics]: createDeleteTopicsHandler(ctx),
    [ApiKey.InitProducerId]: createInitProducerIdHandler(ctx),
    [ApiKey.DescribeConfigs]: createDescribeConfigsHandler(ctx),
    [ApiKey.AlterConfigs]: createAlterConfigsHandler(ctx),
    [ApiKey.IncrementalAlterConfigs]: createIncrementalAlterConfigsHandler(ctx),
    [ApiKey.CreatePartitions]: createCreatePartitionsHandler(ctx),
    [ApiKey.DeleteRecords]: createDeleteRecordsHandler(ctx),
    [ApiKey.DescribeCluster]: createDescribeClusterHandler(ctx),
    [ApiKey.DescribeLogDirs]: createDescribeLogDirsHandler(ctx),
  };
}
