import type { OffsetCommitValue } from "./records.ts";
import type { GroupState, JoinGroupResult, ProtocolEntry, SyncGroupResult } from "./types.ts";

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: ProtocolEntry[];
  assignment: Buffer;
  // Deferred JoinGroup/SyncGroup responses; set while the member's request waits.
  joinWaiter: ((result: JoinGroupResult) => void) | null;
  syncWaiter: ((result: SyncGroupResult) => void) | null;
  // Joined during the current rebalance: bounded by the new-member join timeout, not kept alive.
  isNew: boolean;
  joinedAt: number;
  lastHeartbeat: number;
}

export interface InitialDelay {
  // Time still available for further extensions, bounded by the rebalance timeout.
  remainingMs: number;
  currentDelayMs: number;
  newMemberAdded: boolean;
}

export class Group {
  state: GroupState = "Empty";
  stateSince: number;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  // group instance id → member id, for static members (KIP-345).
  readonly staticMembers = new Map<string, string>();
  // Members told MEMBER_ID_REQUIRED that have not joined yet → when they are forgotten.
  readonly pendingMembers = new Map<string, number>();
  // Members of the current generation that have not sent SyncGroup yet.
  readonly pendingSync = new Set<string>();
  // PreparingRebalance completes at this time at the latest.
  joinDeadline: number | null = null;
  initialDelay: InitialDelay | null = null;
  // Members still in pendingSync are removed at this time.
  syncDeadline: number | null = null;
  readonly offsets = new Map<string, Map<number, OffsetCommitValue>>();
  // Commits appended but not yet durable: the group must not be expired meanwhile.
  pendingCommits = 0;

  constructor(
    readonly groupId: string,
    readonly partition: number,
    now: number,
  ) {
    this.stateSince = now;
  }

  transition(state: GroupState, now: number): void {
    this.state = state;
    this.stateSince = now;
  }

  add(member: Member): void {
    if (this.members.size === 0) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  remove(memberId: string): void {
    const member = this.members.get(memberId);
    if (!member) return;
    this.members.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId);
    }
    this.pendingSync.delete(memberId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
  }

  // A request carrying an instance id that now belongs to another member id is from a fenced zombie.
  isStaticMemberFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const current = this.staticMembers.get(groupInstanceId);
    return current !== undefined && current !== memberId;
  }

  // Protocols every current member (except `exceptMemberId`) supports.
  commonProtocols(exceptMemberId?: string): Set<string> | null {
    let common: Set<string> | null = null;
    for (const m of this.members.values()) {
      if (m.memberId === exceptMemberId) continue;
      const names = new Set(m.protocols.map((p) => p.name));
      if (common === null) common = names;
      else for (const name of common) if (!names.has(name)) common.delete(name);
    }
    return common;
  }

  // Kafka's rule: each member votes for the first protocol of its preference list that all members
  // support; the most votes win (ties go to the earlier candidate in the leader's preference).
  selectProtocol(): string {
    const common = this.commonProtocols() ?? new Set<string>();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.protocols.find((p) => common.has(p.name))?.name;
      if (choice !== undefined) votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    const leader =
      (this.leaderId !== null ? this.members.get(this.leaderId) : undefined) ??
      this.members.values().next().value;
    const order = leader?.protocols.map((p) => p.name) ?? [];
    let best: string | null = null;
    for (const name of order) {
      if (!votes.has(name)) continue;
      if (best === null || votes.get(name)! > votes.get(best)!) best = name;
    }
    // Joins are validated against the common protocols, so there is always one; a group restored
    // from an old record without protocol data falls back to the leader's first choice.
    return best ?? order[0] ?? "";
  }

  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const m of this.members.values()) if (m.joinWaiter === null) return false;
    return true;
  }
}

export function metadataFor(member: Member, protocol: string | null): Buffer {
  return member.protocols.find((p) => p.name === protocol)?.metadata ?? Buffer.alloc(0);
}

export function sameProtocols(a: ProtocolEntry[], b: ProtocolEntry[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i].name && p.metadata.equals(b[i].metadata));
}
