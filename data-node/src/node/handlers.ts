import type { Logger } from "../../../shared/log.ts";
import type { HandlerTable } from "../kafka/handler-types.ts";
import { createDataHandlers } from "../kafka/handlers/data-handlers.ts";
import { createGroupHandlers } from "../kafka/handlers/group-handlers.ts";
import type { VersionRange } from "../kafka/protocol/codec.ts";
import { ApiKey } from "../kafka/protocol/generated/apis.ts";
import type { BrokerServices } from "./broker-services.ts";

// The Kafka APIs a node serves beyond ApiVersions and Metadata.
export function createKafkaHandlers(services: BrokerServices, logger: Logger): HandlerTable {
  return { ...createDataHandlers(services, logger), ...createGroupHandlers(services) };
}

// Versions the codecs implement but the handlers do not serve yet (their new fields' semantics are
// missing): advertised no higher than this.
export const SERVED_VERSION_LIMITS: readonly VersionRange[] = [
  // v6-7: flexible encoding and MAX_TIMESTAMP (-3, KIP-734).
  { apiKey: ApiKey.ListOffsets, minVersion: 0, maxVersion: 5 },
  // v3-4: config types and documentation.
  { apiKey: ApiKey.DescribeConfigs, minVersion: 0, maxVersion: 2 },
];
