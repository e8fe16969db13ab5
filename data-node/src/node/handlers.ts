import type { HandlerTable } from "../kafka/handler-types.ts";
import type { BrokerServices } from "./broker-services.ts";

// The Kafka APIs a node serves beyond ApiVersions and Metadata.
export function createKafkaHandlers(_services: BrokerServices): HandlerTable {
  return {};
}
