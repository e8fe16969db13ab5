import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";

// Heartbeat v0-4 (v3 adds the group instance id). REBALANCE_IN_PROGRESS tells the member to rejoin.
export function createHeartbeatHandler(ctx: BrokerContext): Handler<12> {
  return (req, rc) => {
    if (req.groupId === "") return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID };
    const errorCode = ctx.groups.heartbeat(
      {
        groupId: req.groupId,
        generationId: req.generationId,
        memberId: req.memberId,
        groupInstanceId: rc.apiVersion >= 3 ? req.groupInstanceId : null,
      },
      ctx.now(),
    );
    return { throttleTimeMs: 0, errorCode };
  };
}
