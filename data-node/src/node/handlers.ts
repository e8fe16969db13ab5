import type { Logger } from "../../../shared/log.ts";
import type { HandlerTable } from "../kafka/handler-types.ts";
import { createDataHandlers } from "../kafka/handlers/data-handlers.ts";
import { createGroupHandlers } from "../kafka/handlers/group-handlers.ts";
import type { VersionRange } from "../kafka/protocol/codec.ts";
import type { BrokerServices } from "./broker-services.ts";

// The Kafka APIs a node serves beyond ApiVersions and Metadata.
export function createKafkaHandlers(services: BrokerServices, logger: Logger): HandlerTable {
  return { ...createDataHandlers(services, logger), ...createGroupHandlers(services) };
}

// Versions the codecs implement but the handlers do not serve yet (their new fields' semantics are
// missing): advertised no higher than this.
export const SERVED_VERSION_LIMITS: readonly VersionRange[] = [];
