import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";

// ListGroups v0-4: the groups of the __consumer_offsets partitions this node coordinates (a client
// asks every broker). v4 filters by state.
export function createListGroupsHandler(ctx: BrokerContext): Handler<16> {
  return (req, rc) => {
    const result = ctx.groups.listGroups(rc.apiVersion >= 4 ? req.statesFilter : null);
    return {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      groups: result.groups.map((g) => ({
        groupId: g.groupId,
        protocolType: g.protocolType,
        groupState: g.groupState,
      })),
    };
  };
}
