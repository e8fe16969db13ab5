import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import type { DeleteGroupsResponse } from "../protocol/generated/delete-groups-response.ts";

// DeleteGroups v0-2 (KIP-229): the groups this node coordinates; a client sends each group to its
// coordinator and gets NOT_COORDINATOR elsewhere.
export function createDeleteGroupsHandler(ctx: BrokerContext): Handler<42> {
  return async (req) => {
    const res: DeleteGroupsResponse = {
      throttleTimeMs: 0,
      results: await ctx.groups.deleteGroups(req.groupsNames, ctx.now()),
    };
    return res;
  };
}
