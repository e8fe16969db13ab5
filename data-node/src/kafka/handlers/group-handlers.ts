import type { BrokerContext } from "../broker-context.ts";
import type { Handler, HandlerTable } from "../handler-types.ts";
import type { ApiMessages } from "../protocol/generated/apis.ts";
import { ApiKey } from "../protocol/generated/apis.ts";
import { createDeleteGroupsHandler } from "./delete-groups.ts";
import { createDescribeGroupsHandler } from "./describe-groups.ts";
import { createFindCoordinatorHandler } from "./find-coordinator.ts";
import { createHeartbeatHandler } from "./heartbeat.ts";
import { createJoinGroupHandler } from "./join-group.ts";
import { createLeaveGroupHandler } from "./leave-group.ts";
import { createListGroupsHandler } from "./list-groups.ts";
import { createOffsetCommitHandler } from "./offset-commit.ts";
import { createOffsetDeleteHandler } from "./offset-delete.ts";
import { createOffsetFetchHandler } from "./offset-fetch.ts";
import { createSyncGroupHandler } from "./sync-group.ts";

// Tells the node after a coordinator operation (and again when its answer is ready), because an
// operation can bring the coordinator's next deadline forward and the deadline timer must follow.
function observed<K extends keyof ApiMessages>(ctx: BrokerContext, handler: Handler<K>): Handler<K> {
  return (req, rc) => {
    const out = handler(req, rc);
    ctx.onGroupActivity?.();
    if (out instanceof Promise) return out.finally(() => ctx.onGroupActivity?.());
    return out;
  };
}

// The consumer-group APIs: FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
// OffsetCommit, OffsetFetch, DescribeGroups, ListGroups, DeleteGroups, OffsetDelete.
export function createGroupHandlers(ctx: BrokerContext): HandlerTable {
  return {
    [ApiKey.FindCoordinator]: createFindCoordinatorHandler(ctx),
    [ApiKey.JoinGroup]: observed(ctx, createJoinGroupHandler(ctx)),
    [ApiKey.SyncGroup]: observed(ctx, createSyncGroupHandler(ctx)),
    [ApiKey.Heartbeat]: observed(ctx, createHeartbeatHandler(ctx)),
    [ApiKey.LeaveGroup]: observed(ctx, createLeaveGroupHandler(ctx)),
    [ApiKey.OffsetCommit]: observed(ctx, createOffsetCommitHandler(ctx)),
    [ApiKey.OffsetFetch]: createOffsetFetchHandler(ctx),
    [ApiKey.DescribeGroups]: createDescribeGroupsHandler(ctx),
    [ApiKey.ListGroups]: createListGroupsHandler(ctx),
    [ApiKey.DeleteGroups]: observed(ctx, createDeleteGroupsHandler(ctx)),
    [ApiKey.OffsetDelete]: observed(ctx, createOffsetDeleteHandler(ctx)),
  };
}
