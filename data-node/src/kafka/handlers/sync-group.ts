import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";

const EMPTY = Buffer.alloc(0);

// SyncGroup v0-4: the leader sends every member's assignment; each member gets its own back once
// the assignment is durable. v3 adds the group instance id.
export function createSyncGroupHandler(ctx: BrokerContext): Handler<14> {
  return async (req, rc) => {
    if (req.groupId === "")
      return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID, assignment: EMPTY };
    const result = await ctx.groups.syncGroup(
      {
        groupId: req.groupId,
        generationId: req.generationId,
        memberId: req.memberId,
        groupInstanceId: rc.apiVersion >= 3 ? req.groupInstanceId : null,
        protocolType: null,
        protocolName: null,
        assignments: req.assignments.map((a) => ({ memberId: a.memberId, assignment: a.assignment })),
      },
      ctx.now(),
    );
    return { throttleTimeMs: 0, errorCode: result.errorCode, assignment: result.assignment };
  };
}
