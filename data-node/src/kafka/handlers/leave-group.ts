import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";

// LeaveGroup v0-2 name one member; v3+ a batch of members (KIP-345), each answered on its own.
export function createLeaveGroupHandler(ctx: BrokerContext): Handler<13> {
  return (req, rc) => {
    const batch = rc.apiVersion >= 3;
    if (req.groupId === "") return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const members = batch
      ? req.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
      : [{ memberId: req.memberId, groupInstanceId: null }];
    const result = ctx.groups.leaveGroup({ groupId: req.groupId, members }, ctx.now());
    if (batch) return { throttleTimeMs: 0, errorCode: result.errorCode, members: result.members };
    const errorCode = result.errorCode !== 0 ? result.errorCode : (result.members[0]?.errorCode ?? 0);
    return { throttleTimeMs: 0, errorCode, members: [] };
  };
}
