import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import type { DescribeGroupsResponse } from "../protocol/generated/describe-groups-response.ts";
import { OPERATIONS_NOT_REQUESTED } from "./authorized-operations.ts";

// There is no authorizer: every operation a group supports is allowed (READ 3, DELETE 6, DESCRIBE 8).
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8);

// DescribeGroups v0-5 (v3 adds authorized operations, v4 group instance ids).
export function createDescribeGroupsHandler(ctx: BrokerContext): Handler<15> {
  return (req, rc) => {
    const operations =
      rc.apiVersion >= 3 && req.includeAuthorizedOperations ? GROUP_OPERATIONS : OPERATIONS_NOT_REQUESTED;
    const res: DescribeGroupsResponse = {
      throttleTimeMs: 0,
      groups: ctx.groups.describeGroups(req.groups).map((g) => ({
        errorCode: g.errorCode,
        groupId: g.groupId,
        groupState: g.groupState,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations: operations,
      })),
    };
    return res;
  };
}
