import type { ConfigChange } from "../../meta/topic-config-changes.ts";
import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import type { IncrementalAlterConfigsResponse } from "../protocol/generated/incremental-alter-configs-response.ts";
import { alterResources } from "./config-resources.ts";

// Kafka's AlterConfigOp.OpType ids.
const OPS: Record<number, ConfigChange["op"]> = { 0: "set", 1: "delete", 2: "append", 3: "subtract" };

// IncrementalAlterConfigs v0-1: SET, DELETE, APPEND and SUBTRACT (the last two on list configs only)
// change just the named configs of each resource.
export function createIncrementalAlterConfigsHandler(ctx: BrokerContext): Handler<44> {
  return async (req) => {
    const alterations = req.resources.map((r) => {
      const bad = r.configs.find((c) => OPS[c.configOperation] === undefined);
      return {
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        changes: bad
          ? []
          : r.configs.map((c) => ({ name: c.name, op: OPS[c.configOperation], value: c.value })),
        invalid: bad && `Unknown operation type ${bad.configOperation} for config ${bad.name}`,
      };
    });
    const res: IncrementalAlterConfigsResponse = {
      throttleTimeMs: 0,
      responses: await alterResources(ctx, alterations, "incremental", req.validateOnly),
    };
    return res;
  };
}
