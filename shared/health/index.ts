export { type BrokerView, brokerViewSchema, brokerViews } from "./brokers.ts";
export {
  DEFAULT_LIST_CAP,
  DEFAULT_MAX_AGE_MS,
  evaluateHealth,
  type HealthOptions,
  httpStatusFor,
  isBrokerAlive,
  metaLeaderOf,
  quorumSize,
} from "./evaluate.ts";
export {
  type ClusterHealth,
  clusterHealthSchema,
  type HealthStatus,
  healthStatus,
  type NodeHealth,
  nodeHealthSchema,
  type PartitionList,
  type PartitionRef,
  partitionListSchema,
  partitionRefSchema,
  type UnhealthyReason,
  unhealthyReason,
} from "./schema.ts";
