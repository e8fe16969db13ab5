import type { Logger } from "../../../shared/log.ts";
import type { HandlerTable } from "../kafka/handler-types.ts";
import { createDataHandlers } from "../kafka/handlers/data-handlers.ts";
import { createGroupHandlers } from "../kafka/handlers/group-handlers.ts";
import type { BrokerServices } from "./broker-services.ts";

// The Kafka APIs a node serves beyond ApiVersions and Metadata.
export function createKafkaHandlers(services: BrokerServices, logger: Logger): HandlerTable {
  return { ...createDataHandlers(services, logger), ...createGroupHandlers(services) };
}
