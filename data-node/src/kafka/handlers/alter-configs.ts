import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import type { AlterConfigsResponse } from "../protocol/generated/alter-configs-response.ts";
import { alterResources } from "./config-resources.ts";

// AlterConfigs v0-2 (deprecated in Kafka for IncrementalAlterConfigs): each resource's configs
// replace its whole override set; configs left out go back to their defaults.
export function createAlterConfigsHandler(ctx: BrokerContext): Handler<33> {
  return async (req) => {
    const alterations = req.resources.map((r) => ({
      resourceType: r.resourceType,
      resourceName: r.resourceName,
      changes: r.configs.map((c) => ({ name: c.name, op: "set" as const, value: c.value })),
    }));
    const res: AlterConfigsResponse = {
      throttleTimeMs: 0,
      responses: await alterResources(ctx, alterations, "replace", req.validateOnly),
    };
    return res;
  };
}
