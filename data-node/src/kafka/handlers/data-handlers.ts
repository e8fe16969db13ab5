import { type Logger, silentLogger } from "../../../../shared/log.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { HandlerTable } from "../handler-types.ts";
import { ApiKey } from "../protocol/generated/apis.ts";
import { createCreatePartitionsHandler } from "./create-partitions.ts";
import { createCreateTopicsHandler } from "./create-topics.ts";
import { createDeleteTopicsHandler } from "./delete-topics.ts";
import { createDescribeConfigsHandler } from "./describe-configs.ts";
import { createFetchHandler } from "./fetch.ts";
import { createInitProducerIdHandler } from "./init-producer-id.ts";
import { createListOffsetsHandler } from "./list-offsets.ts";
import { createProduceHandler } from "./produce.ts";

// The data and admin APIs: Produce, Fetch, ListOffsets, CreateTopics, DeleteTopics,
// InitProducerId, DescribeConfigs, CreatePartitions.
export function createDataHandlers(ctx: BrokerContext, logger: Logger = silentLogger): HandlerTable {
  return {
    [ApiKey.Produce]: createProduceHandler(ctx, logger),
    [ApiKey.Fetch]: createFetchHandler(ctx),
    [ApiKey.ListOffsets]: createListOffsetsHandler(ctx),
    [ApiKey.CreateTopics]: createCreateTopicsHandler(ctx),
    [ApiKey.DeleteTopics]: createDeleteTopicsHandler(ctx),
    [ApiKey.InitProducerId]: createInitProducerIdHandler(ctx),
    [ApiKey.DescribeConfigs]: createDescribeConfigsHandler(ctx),
    [ApiKey.CreatePartitions]: createCreatePartitionsHandler(ctx),
  };
}
