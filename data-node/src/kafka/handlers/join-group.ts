import type { BrokerContext } from "../broker-context.ts";
import type { Handler, RequestContext } from "../handler-types.ts";
import type { JoinGroupResponse } from "../protocol/generated/join-group-response.ts";

// JoinGroup v4 is the first version whose clients handle MEMBER_ID_REQUIRED (KIP-394).
const FIRST_KNOWN_MEMBER_ID_VERSION = 4;

// Kafka reports a member's host as its InetAddress prints: "/<ip>".
export function clientHostOf(rc: RequestContext): string {
  const colon = rc.remoteAddress.lastIndexOf(":");
  const host = colon > 0 ? rc.remoteAddress.slice(0, colon) : rc.remoteAddress;
  return `/${host}`;
}

// JoinGroup v0-6: v0 has no rebalance timeout (the session timeout stands in), v5 adds static
// membership. The response waits until the rebalance forms its generation.
export function createJoinGroupHandler(ctx: BrokerContext): Handler<11> {
  return async (req, rc) => {
    const v = rc.apiVersion;
    const result = await ctx.groups.joinGroup(
      {
        groupId: req.groupId,
        memberId: req.memberId,
        groupInstanceId: v >= 5 ? req.groupInstanceId : null,
        requireKnownMemberId: v >= FIRST_KNOWN_MEMBER_ID_VERSION,
        clientId: rc.clientId ?? "",
        clientHost: clientHostOf(rc),
        sessionTimeoutMs: req.sessionTimeoutMs,
        rebalanceTimeoutMs: v >= 1 ? req.rebalanceTimeoutMs : req.sessionTimeoutMs,
        protocolType: req.protocolType,
        protocols: req.protocols.map((p) => ({ name: p.name, metadata: p.metadata })),
      },
      ctx.now(),
    );
    const res: JoinGroupResponse = {
      throttleTimeMs: 0,
      errorCode: result.errorCode,
      generationId: result.generationId,
      // Not nullable before v7.
      protocolName: result.protocolName ?? "",
      leader: result.leader,
      memberId: result.memberId,
      members: result.members.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        metadata: m.metadata,
      })),
    };
    return res;
  };
}
