import type { Group, Member } from "./group.ts";
import { metadataFor } from "./group.ts";
import type { JoinGroupResult, SyncGroupResult } from "./types.ts";

const EMPTY = Buffer.alloc(0);

export function joinError(memberId: string, errorCode: number): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: "",
    memberId,
    members: [],
  };
}

// The current generation as `member` sees it; only the leader receives the member list.
export function joinSuccess(group: Group, member: Member): JoinGroupResult {
  const isLeader = group.leaderId === member.memberId;
  return {
    errorCode: 0,
    generationId: group.generationId,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    leader: group.leaderId ?? "",
    memberId: member.memberId,
    members: isLeader
      ? [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          metadata: metadataFor(m, group.protocolName),
        }))
      : [],
  };
}

export function syncError(errorCode: number): SyncGroupResult {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY };
}

export function syncSuccess(group: Group, member: Member): SyncGroupResult {
  return {
    errorCode: 0,
    protocolType: group.protocolType,
    protocolName: group.protocolName,
    assignment: member.assignment,
  };
}
