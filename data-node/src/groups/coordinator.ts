import { type Logger, silentLogger } from "../../../shared/log.ts";
import { DEFAULT_GROUP_COORDINATOR_CONFIG, type GroupCoordinatorConfig } from "./config.ts";
import { appendErrorCode, ErrorCode } from "./error-codes.ts";
import { Group, type Member, metadataFor, sameProtocols } from "./group.ts";
import { groupFromRecordValue, groupRecordValue } from "./group-records.ts";
import {
  commitError,
  deleteOffsets,
  everyPartition,
  expireOffsets,
  fetchOffsets,
  prepareCommit,
  removeOffsets,
} from "./offsets.ts";
import { partitionForGroup } from "./partition-for-group.ts";
import { rebuildFromRecords } from "./rebuild.ts";
import { type CoordinatorRecord, encodeGroupMetadataRecord } from "./records.ts";
import { joinError, joinSuccess, syncError, syncSuccess } from "./results.ts";
import type {
  DescribedGroup,
  GroupState,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResult,
  LeaveGroupRequest,
  LeaveGroupResult,
  ListedGroup,
  OffsetCommitRequest,
  OffsetCommitResult,
  OffsetDeleteRequest,
  OffsetDeleteResult,
  OffsetFetchRequest,
  OffsetFetchResult,
  SyncGroupRequest,
  SyncGroupResult,
} from "./types.ts";

// Appends records to a `__consumer_offsets` partition and resolves once they are durable (committed
// by the partition's Raft group). A rejection may carry a Kafka `errorCode`.
export type AppendRecords = (partition: number, records: CoordinatorRecord[]) => Promise<void>;

export interface GroupCoordinatorOptions {
  append: AppendRecords;
  // Source of the unique part of member ids ("<client or instance id>-<uuid>"), e.g. crypto.randomUUID.
  newUuid: () => string;
  config?: Partial<GroupCoordinatorConfig>;
  logger?: Logger;
}

const EMPTY = Buffer.alloc(0);

// Apache Kafka's classic group coordinator as a deterministic state machine. Time is only what the
// caller passes as `now`; nothing here sets a timer. Deadlines (session expiry, rebalance and sync
// timeouts, initial rebalance delay, offset retention) are acted on when an operation or `tick(now)`
// observes them; `nextDeadline()` says when the next one falls due. JoinGroup, SyncGroup and
// OffsetCommit answer with promises: a join resolves when its rebalance completes, a sync when the
// leader's assignment is durable, a commit when its records are durable.
export class GroupCoordinator {
  readonly config: GroupCoordinatorConfig;
  private readonly append: AppendRecords;
  private readonly newUuid: () => string;
  private readonly log: Logger;
  private readonly groups = new Map<string, Group>();
  private readonly owned = new Set<number>();
  private readonly loading = new Set<number>();
  private nextExpiryCheck: number | null = null;

  constructor(options: GroupCoordinatorOptions) {
    this.config = { ...DEFAULT_GROUP_COORDINATOR_CONFIG, ...options.config };
    this.append = options.append;
    this.newUuid = options.newUuid;
    this.log = options.logger ?? silentLogger;
  }

  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.config.offsetsTopicPartitions);
  }

  ownsPartition(partition: number): boolean {
    return this.owned.has(partition);
  }

  // The node is becoming coordinator for `partition` and is reading its log: requests for its groups
  // get COORDINATOR_LOAD_IN_PROGRESS until `loadPartition`.
  beginLoading(partition: number): void {
    this.loading.add(partition);
  }

  // Takes over a `__consumer_offsets` partition from its records (in log order). Groups with members
  // come back Stable with fresh session timers, as in Kafka.
  loadPartition(partition: number, records: Iterable<CoordinatorRecord>, now: number): void {
    this.dropPartitionGroups(partition, ErrorCode.NOT_COORDINATOR);
    const state = rebuildFromRecords(records);
    for (const [groupId, value] of state.groups)
      this.groups.set(groupId, groupFromRecordValue(groupId, partition, value, now));
    for (const [groupId, topics] of state.offsets) {
      let group = this.groups.get(groupId);
      if (!group) this.groups.set(groupId, (group = new Group(groupId, partition, now)));
      for (const [topic, partitions] of topics) group.offsets.set(topic, new Map(partitions));
    }
    this.loading.delete(partition);
    this.owned.add(partition);
    this.nextExpiryCheck ??= now + this.config.offsetsRetentionCheckIntervalMs;
    this.log.info({ partition, groups: state.groups.size }, "loaded __consumer_offsets partition");
  }

  // Leadership of `partition` moved away: waiting requests get NOT_COORDINATOR and clients look up
  // the new coordinator.
  unloadPartition(partition: number): void {
    this.dropPartitionGroups(partition, ErrorCode.NOT_COORDINATOR);
    this.owned.delete(partition);
    this.loading.delete(partition);
    this.log.info({ partition }, "unloaded __consumer_offsets partition");
  }

  joinGroup(req: JoinGroupRequest, now: number): Promise<JoinGroupResult> {
    const fail = (errorCode: number, memberId = req.memberId) =>
      Promise.resolve(joinError(memberId, errorCode));
    if (req.groupId === "") return fail(ErrorCode.INVALID_GROUP_ID);
    const coordinatorError = this.coordinatorError(req.groupId);
    if (coordinatorError !== 0) return fail(coordinatorError);
    if (
      req.sessionTimeoutMs < this.config.minSessionTimeoutMs ||
      req.sessionTimeoutMs > this.config.maxSessionTimeoutMs
    ) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT);
    }
    let group = this.groups.get(req.groupId);
    if (group) {
      this.advance(group, now);
    } else {
      if (req.memberId !== "") return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      if (req.protocolType === "" || req.protocols.length === 0)
        return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
      group = new Group(req.groupId, this.partitionFor(req.groupId), now);
      this.groups.set(req.groupId, group);
    }
    if (!this.supportsProtocols(group, req)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const result =
      req.memberId === "" ? this.joinNewMember(group, req, now) : this.joinKnownMember(group, req, now);
    this.advance(group, now);
    return result;
  }

  syncGroup(req: SyncGroupRequest, now: number): Promise<SyncGroupResult> {
    const fail = (errorCode: number) => Promise.resolve(syncError(errorCode));
    const coordinatorError = this.coordinatorError(req.groupId);
    // A loading coordinator has lost the rebalance in progress: send the member back to JoinGroup
    // (older clients do not know COORDINATOR_LOAD_IN_PROGRESS in SyncGroup).
    if (coordinatorError === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS)
      return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    if (coordinatorError !== 0) return fail(coordinatorError);
    const group = this.groups.get(req.groupId);
    if (!group) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    this.advance(group, now);
    if (group.isStaticMemberFenced(req.memberId, req.groupInstanceId))
      return fail(ErrorCode.FENCED_INSTANCE_ID);
    const member = group.members.get(req.memberId);
    if (!member) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    if (
      (req.protocolType !== null && req.protocolType !== group.protocolType) ||
      (req.protocolName !== null && req.protocolName !== group.protocolName)
    ) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    switch (group.state) {
      case "PreparingRebalance":
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case "CompletingRebalance": {
        member.lastHeartbeat = now;
        const result = new Promise<SyncGroupResult>((resolve) => {
          member.syncWaiter?.(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
          member.syncWaiter = resolve;
        });
        this.markSynced(group, member.memberId);
        if (group.leaderId === member.memberId) this.storeAssignment(group, req.assignments, now);
        return result;
      }
      case "Stable":
        member.lastHeartbeat = now;
        this.markSynced(group, member.memberId);
        return Promise.resolve(syncSuccess(group, member));
      case "Dead":
        return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      default:
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  // Returns the Heartbeat error code: REBALANCE_IN_PROGRESS tells a member to rejoin.
  heartbeat(req: HeartbeatRequest, now: number): number {
    const coordinatorError = this.coordinatorError(req.groupId);
    // While loading, answer blindly: older clients do not know COORDINATOR_LOAD_IN_PROGRESS here.
    if (coordinatorError === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS) return ErrorCode.NONE;
    if (coordinatorError !== 0) return coordinatorError;
    const group = this.groups.get(req.groupId);
    if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
    this.advance(group, now);
    if (group.isStaticMemberFenced(req.memberId, req.groupInstanceId)) return ErrorCode.FENCED_INSTANCE_ID;
    const member = group.members.get(req.memberId);
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (req.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    member.lastHeartbeat = now;
    return group.state === "PreparingRebalance" ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  leaveGroup(req: LeaveGroupRequest, now: number): LeaveGroupResult {
    const coordinatorError = this.coordinatorError(req.groupId);
    if (coordinatorError !== 0) return { errorCode: coordinatorError, members: [] };
    const group = this.groups.get(req.groupId);
    const results = req.members.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID as number }));
    if (!group) return { errorCode: ErrorCode.NONE, members: results };
    this.advance(group, now);
    for (const result of results) {
      let memberId = result.memberId;
      if (memberId === "" && result.groupInstanceId !== null) {
        memberId = group.staticMembers.get(result.groupInstanceId) ?? "";
      } else if (group.isStaticMemberFenced(memberId, result.groupInstanceId)) {
        result.errorCode = ErrorCode.FENCED_INSTANCE_ID;
        continue;
      }
      if (group.pendingMembers.delete(memberId)) {
        result.errorCode = ErrorCode.NONE;
        continue;
      }
      const member = group.members.get(memberId);
      if (!member) continue;
      this.removeMemberAndUpdateGroup(group, member, now, "left the group");
      result.errorCode = ErrorCode.NONE;
    }
    this.advance(group, now);
    return { errorCode: ErrorCode.NONE, members: results };
  }

  commitOffsets(req: OffsetCommitRequest, now: number): Promise<OffsetCommitResult> {
    const coordinatorError = this.coordinatorError(req.groupId);
    if (coordinatorError !== 0) return Promise.resolve(everyPartition(req, coordinatorError));
    let group = this.groups.get(req.groupId);
    if (group) {
      this.advance(group, now);
      const error = commitError(group, req, now);
      if (error !== 0) return Promise.resolve(everyPartition(req, error));
    } else {
      // No group: only a consumer that does not use group management (generation -1) may commit.
      if (req.generationId >= 0) return Promise.resolve(everyPartition(req, ErrorCode.ILLEGAL_GENERATION));
      group = new Group(req.groupId, this.partitionFor(req.groupId), now);
      this.groups.set(req.groupId, group);
    }
    const commit = prepareCommit(group, req, now, this.config.maxMetadataSize);
    if (commit.records.length === 0) return Promise.resolve(commit.result);
    const committing = group;
    committing.pendingCommits++;
    return this.append(committing.partition, commit.records).then(
      () => {
        committing.pendingCommits--;
        commit.apply();
        return commit.result;
      },
      (err: unknown) => {
        committing.pendingCommits--;
        commit.fail(appendErrorCode(err));
        return commit.result;
      },
    );
  }

  fetchOffsets(req: OffsetFetchRequest): OffsetFetchResult {
    const coordinatorError = this.coordinatorError(req.groupId);
    if (coordinatorError !== 0) return { errorCode: coordinatorError, topics: [] };
    return fetchOffsets(this.groups.get(req.groupId), req.topics);
  }

  // DeleteGroups (KIP-229): a group without members goes, with its offsets. Their tombstones reach
  // __consumer_offsets before the answer, so a coordinator that loads the partition later does not
  // bring the group back.
  deleteGroups(groupIds: string[], now: number): Promise<{ groupId: string; errorCode: number }[]> {
    return Promise.all(
      [...new Set(groupIds)].map(async (groupId) => ({
        groupId,
        errorCode: await this.deleteGroup(groupId, now),
      })),
    );
  }

  private async deleteGroup(groupId: string, now: number): Promise<number> {
    const coordinatorError = this.coordinatorError(groupId);
    if (coordinatorError !== 0) return coordinatorError;
    const group = this.groups.get(groupId);
    if (!group) return ErrorCode.GROUP_ID_NOT_FOUND;
    this.advance(group, now);
    if (group.state !== "Empty") return ErrorCode.NON_EMPTY_GROUP;
    const tombstones = [...removeOffsets(group, () => true), encodeGroupMetadataRecord(groupId, null)];
    group.transition("Dead", now);
    this.groups.delete(groupId);
    this.log.info({ group: groupId, offsets: tombstones.length - 1 }, "group deleted");
    return this.append(group.partition, tombstones).then(
      () => ErrorCode.NONE,
      (err: unknown) => appendErrorCode(err),
    );
  }

  // OffsetDelete (KIP-496): removes a group's offsets of partitions it does not consume (offsets.ts),
  // durably as DeleteGroups does.
  async deleteOffsets(req: OffsetDeleteRequest, now: number): Promise<OffsetDeleteResult> {
    const fail = (errorCode: number): OffsetDeleteResult => ({ errorCode, topics: [] });
    if (req.groupId === "") return fail(ErrorCode.INVALID_GROUP_ID);
    const coordinatorError = this.coordinatorError(req.groupId);
    if (coordinatorError !== 0) return fail(coordinatorError);
    const group = this.groups.get(req.groupId);
    if (!group) return fail(ErrorCode.GROUP_ID_NOT_FOUND);
    this.advance(group, now);
    const { result, records } = deleteOffsets(group, req.topics);
    if (records.length === 0) return result;
    return this.append(group.partition, records).then(
      () => result,
      (err: unknown) => fail(appendErrorCode(err)),
    );
  }

  describeGroups(groupIds: string[]): DescribedGroup[] {
    return groupIds.map((groupId) => {
      const errorCode = this.coordinatorError(groupId);
      const group = errorCode === 0 ? this.groups.get(groupId) : undefined;
      if (!group) {
        // Kafka: an unknown group is described as Dead; an error comes with no state at all.
        const groupState = errorCode === 0 ? "Dead" : "";
        return { errorCode, groupId, groupState, protocolType: "", protocolData: "", members: [] };
      }
      const stable = group.state === "Stable";
      return {
        errorCode: 0,
        groupId,
        groupState: group.state,
        protocolType: group.protocolType ?? "",
        protocolData: stable ? (group.protocolName ?? "") : "",
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: stable ? metadataFor(m, group.protocolName) : EMPTY,
          assignment: stable ? m.assignment : EMPTY,
        })),
      };
    });
  }

  // `states` is ListGroups v4's filter (case-insensitive); null or empty lists every group.
  listGroups(states: string[] | null = null): { errorCode: number; groups: ListedGroup[] } {
    const wanted = states && states.length > 0 ? new Set(states.map((s) => s.toLowerCase())) : null;
    const groups: ListedGroup[] = [];
    for (const g of this.groups.values()) {
      if (wanted && !wanted.has(g.state.toLowerCase())) continue;
      groups.push({ groupId: g.groupId, protocolType: g.protocolType ?? "", groupState: g.state });
    }
    const errorCode = this.loading.size > 0 ? ErrorCode.COORDINATOR_LOAD_IN_PROGRESS : ErrorCode.NONE;
    return { errorCode, groups };
  }

  groupState(groupId: string): GroupState {
    return this.groups.get(groupId)?.state ?? "Dead";
  }

  generationOf(groupId: string): number {
    return this.groups.get(groupId)?.generationId ?? -1;
  }

  // Acts on every deadline that has passed: expired sessions, finished rebalance delays and timeouts,
  // members that never synced, and (every retention check interval) expired offsets.
  tick(now: number): void {
    for (const group of [...this.groups.values()]) this.advance(group, now);
    if (this.nextExpiryCheck === null) {
      this.nextExpiryCheck = now + this.config.offsetsRetentionCheckIntervalMs;
    } else if (now >= this.nextExpiryCheck) {
      this.expireOffsets(now);
      this.nextExpiryCheck = now + this.config.offsetsRetentionCheckIntervalMs;
    }
  }

  // The earliest time at which `tick` has something to do, or null.
  nextDeadline(): number | null {
    let next = this.nextExpiryCheck ?? Number.POSITIVE_INFINITY;
    for (const g of this.groups.values()) {
      if (g.joinDeadline !== null) next = Math.min(next, g.joinDeadline);
      if (g.syncDeadline !== null) next = Math.min(next, g.syncDeadline);
      for (const d of g.pendingMembers.values()) next = Math.min(next, d);
      for (const m of g.members.values()) next = Math.min(next, this.sessionDeadline(m));
    }
    return Number.isFinite(next) ? next : null;
  }

  // Deletes offsets past retention (writing tombstones) and drops empty groups left without offsets.
  expireOffsets(now: number): void {
    for (const group of [...this.groups.values()]) {
      if (group.pendingCommits > 0) continue;
      const tombstones = expireOffsets(group, now, this.config.offsetsRetentionMs);
      if (group.state === "Empty" && group.offsets.size === 0 && group.pendingMembers.size === 0) {
        group.transition("Dead", now);
        this.groups.delete(group.groupId);
        // A group that only ever stored offsets (generation 0) has no metadata record to delete.
        if (group.generationId > 0) tombstones.push(encodeGroupMetadataRecord(group.groupId, null));
        this.log.info({ group: group.groupId }, "removed empty group");
      }
      if (tombstones.length > 0) this.appendInBackground(group.partition, tombstones, "expired offsets");
    }
  }

  private coordinatorError(groupId: string): number {
    const partition = this.partitionFor(groupId);
    if (this.loading.has(partition)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return this.owned.has(partition) ? ErrorCode.NONE : ErrorCode.NOT_COORDINATOR;
  }

  private supportsProtocols(group: Group, req: JoinGroupRequest): boolean {
    if (req.protocolType === "" || req.protocols.length === 0) return false;
    if (group.members.size === 0) return true;
    if (group.protocolType !== req.protocolType) return false;
    const common = group.commonProtocols(req.memberId);
    return common === null || req.protocols.some((p) => common.has(p.name));
  }

  private joinNewMember(group: Group, req: JoinGroupRequest, now: number): Promise<JoinGroupResult> {
    // As in Kafka, a static member's id starts with its instance id, a dynamic member's with its client id.
    const memberId = `${req.groupInstanceId ?? req.clientId}-${this.newUuid()}`;
    if (req.groupInstanceId !== null) {
      const oldId = group.staticMembers.get(req.groupInstanceId);
      if (oldId !== undefined) return this.replaceStaticMember(group, oldId, memberId, req, now);
    }
    if (group.members.size + group.pendingMembers.size >= this.config.maxGroupSize) {
      return Promise.resolve(joinError(memberId, ErrorCode.GROUP_MAX_SIZE_REACHED));
    }
    if (req.groupInstanceId === null && req.requireKnownMemberId) {
      // KIP-394: the member must come back with this id; until then it holds up the rebalance.
      group.pendingMembers.set(memberId, now + req.sessionTimeoutMs);
      return Promise.resolve(joinError(memberId, ErrorCode.MEMBER_ID_REQUIRED));
    }
    return this.addMemberAndRebalance(group, req, memberId, now);
  }

  private joinKnownMember(group: Group, req: JoinGroupRequest, now: number): Promise<JoinGroupResult> {
    if (group.pendingMembers.delete(req.memberId))
      return this.addMemberAndRebalance(group, req, req.memberId, now);
    const fail = (errorCode: number) => Promise.resolve(joinError(req.memberId, errorCode));
    if (group.isStaticMemberFenced(req.memberId, req.groupInstanceId))
      return fail(ErrorCode.FENCED_INSTANCE_ID);
    const member = group.members.get(req.memberId);
    const unknownInstance = req.groupInstanceId !== null && !group.staticMembers.has(req.groupInstanceId);
    if (!member || unknownInstance) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    const unchanged = sameProtocols(member.protocols, req.protocols);
    switch (group.state) {
      case "PreparingRebalance":
        return this.updateMemberAndRebalance(group, member, req, now);
      case "CompletingRebalance":
        // A retried JoinGroup whose response was lost: answer with the generation just formed.
        if (!unchanged) return this.updateMemberAndRebalance(group, member, req, now);
        member.lastHeartbeat = now;
        return Promise.resolve(joinSuccess(group, member));
      case "Stable":
        // The leader rejoining means it wants a new assignment (e.g. subscribed topics changed).
        if (!unchanged || group.leaderId === member.memberId)
          return this.updateMemberAndRebalance(group, member, req, now);
        member.lastHeartbeat = now;
        return Promise.resolve(joinSuccess(group, member));
      default:
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  private addMemberAndRebalance(
    group: Group,
    req: JoinGroupRequest,
    memberId: string,
    now: number,
  ): Promise<JoinGroupResult> {
    const member: Member = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      assignment: EMPTY,
      joinWaiter: null,
      syncWaiter: null,
      isNew: true,
      joinedAt: now,
      lastHeartbeat: now,
    };
    if (group.state === "PreparingRebalance" && group.initialDelay && group.generationId === 0) {
      group.initialDelay.newMemberAdded = true;
    }
    group.add(member);
    const result = this.awaitJoin(member);
    this.maybePrepareRebalance(group, now, `member ${memberId} joined`);
    return result;
  }

  private updateMemberAndRebalance(
    group: Group,
    member: Member,
    req: JoinGroupRequest,
    now: number,
  ): Promise<JoinGroupResult> {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    member.lastHeartbeat = now;
    const result = this.awaitJoin(member);
    this.maybePrepareRebalance(group, now, `member ${member.memberId} rejoined`);
    return result;
  }

  // KIP-345, minimal: a static member restarting gets a new member id and its old id is fenced.
  // In a Stable group with unchanged protocols it keeps its assignment without a rebalance.
  private replaceStaticMember(
    group: Group,
    oldId: string,
    newId: string,
    req: JoinGroupRequest,
    now: number,
  ): Promise<JoinGroupResult> {
    const old = group.members.get(oldId)!;
    old.joinWaiter?.(joinError(oldId, ErrorCode.FENCED_INSTANCE_ID));
    old.syncWaiter?.(syncError(ErrorCode.FENCED_INSTANCE_ID));
    const member: Member = {
      ...old,
      memberId: newId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      joinWaiter: null,
      syncWaiter: null,
      lastHeartbeat: now,
    };
    const wasLeader = group.leaderId === oldId;
    const awaitedSync = group.pendingSync.has(oldId);
    group.remove(oldId);
    group.add(member);
    if (wasLeader) group.leaderId = newId;
    if (awaitedSync) group.pendingSync.add(newId);
    if (group.state === "Stable" && !wasLeader && sameProtocols(old.protocols, req.protocols)) {
      const generation = group.generationId;
      const record = encodeGroupMetadataRecord(
        group.groupId,
        groupRecordValue(group, (m) => m.assignment),
      );
      return this.append(group.partition, [record]).then(
        () => joinSuccess(group, member),
        (err) =>
          joinError(
            newId,
            generation === group.generationId ? appendErrorCode(err) : ErrorCode.REBALANCE_IN_PROGRESS,
          ),
      );
    }
    return this.updateMemberAndRebalance(group, member, req, now);
  }

  private awaitJoin(member: Member): Promise<JoinGroupResult> {
    return new Promise((resolve) => {
      // A member retrying its JoinGroup supersedes the earlier request.
      member.joinWaiter?.(joinError(member.memberId, ErrorCode.REBALANCE_IN_PROGRESS));
      member.joinWaiter = resolve;
    });
  }

  private maybePrepareRebalance(group: Group, now: number, reason: string): void {
    if (group.state === "Stable" || group.state === "CompletingRebalance" || group.state === "Empty") {
      this.prepareRebalance(group, now, reason);
    }
  }

  private prepareRebalance(group: Group, now: number, reason: string): void {
    if (group.state === "CompletingRebalance")
      this.resetAndPropagateAssignmentError(group, ErrorCode.REBALANCE_IN_PROGRESS, now);
    group.pendingSync.clear();
    group.syncDeadline = null;
    const timeout = group.rebalanceTimeoutMs();
    const delay = this.config.initialRebalanceDelayMs;
    if (group.state === "Empty" && delay > 0) {
      // The first rebalance of an empty group waits for more members, in steps of the delay, up to
      // the rebalance timeout (Kafka's InitialDelayedJoin).
      group.initialDelay = {
        remainingMs: Math.max(timeout - delay, 0),
        currentDelayMs: delay,
        newMemberAdded: false,
      };
      group.joinDeadline = now + delay;
    } else {
      group.initialDelay = null;
      group.joinDeadline = now + timeout;
    }
    group.transition("PreparingRebalance", now);
    this.log.info({ group: group.groupId, generation: group.generationId, reason }, "preparing rebalance");
  }

  // Runs everything that is due for `group` at `now`, until nothing changes (bounded, in case a
  // zero timeout keeps re-arming a deadline at `now`).
  private advance(group: Group, now: number): void {
    for (let i = 0; i < 16 && this.groups.get(group.groupId) === group; i++) {
      if (!this.step(group, now)) return;
    }
  }

  private step(group: Group, now: number): boolean {
    let changed = false;
    for (const [id, deadline] of group.pendingMembers) {
      if (now >= deadline) {
        group.pendingMembers.delete(id);
        changed = true;
      }
    }
    for (const member of [...group.members.values()]) {
      if (now >= this.sessionDeadline(member) && group.members.get(member.memberId) === member) {
        this.removeMemberAndUpdateGroup(group, member, now, "session expired");
        changed = true;
      }
    }
    if (group.state === "PreparingRebalance") {
      const due = group.joinDeadline !== null && now >= group.joinDeadline;
      const delay = group.initialDelay;
      if (delay !== null) {
        if (due && delay.newMemberAdded && delay.remainingMs > 0) {
          const next = Math.min(this.config.initialRebalanceDelayMs, delay.remainingMs);
          group.initialDelay = {
            remainingMs: Math.max(delay.remainingMs - next, 0),
            currentDelayMs: next,
            newMemberAdded: false,
          };
          group.joinDeadline = now + next;
          return true;
        }
        if (due) {
          this.completeJoin(group, now);
          return true;
        }
      } else if (due || group.allMembersJoined()) {
        this.completeJoin(group, now);
        return true;
      }
    } else if (group.syncDeadline !== null && now >= group.syncDeadline) {
      this.expirePendingSync(group, now);
      return true;
    }
    return changed;
  }

  // Members waiting in JoinGroup or SyncGroup are kept alive (their wait is bounded by the rebalance);
  // a member new to this rebalance is bounded by the new-member join timeout instead.
  private sessionDeadline(member: Member): number {
    if (member.joinWaiter !== null) {
      return member.isNew ? member.joinedAt + this.config.newMemberJoinTimeoutMs : Number.POSITIVE_INFINITY;
    }
    if (member.syncWaiter !== null) return Number.POSITIVE_INFINITY;
    return member.lastHeartbeat + member.sessionTimeoutMs;
  }

  // The rebalance's join phase ends: members that did not rejoin are dropped (static members stay),
  // the generation advances, and every waiting JoinGroup is answered.
  private completeJoin(group: Group, now: number): void {
    group.initialDelay = null;
    group.joinDeadline = null;
    for (const m of [...group.members.values()]) {
      if (m.joinWaiter === null && m.groupInstanceId === null)
        this.removeMember(group, m, ErrorCode.UNKNOWN_MEMBER_ID);
    }
    const joined = [...group.members.values()].filter((m) => m.joinWaiter !== null);
    if (group.members.size > 0 && joined.length === 0) {
      // Only static members that have not come back: wait another rebalance timeout for them.
      group.joinDeadline = now + group.rebalanceTimeoutMs();
      return;
    }
    const leader = group.leaderId !== null ? group.members.get(group.leaderId) : undefined;
    if (!leader || leader.joinWaiter === null) group.leaderId = joined[0]?.memberId ?? null;
    group.generationId++;
    if (group.members.size === 0) {
      group.protocolName = null;
      group.transition("Empty", now);
      this.log.info({ group: group.groupId, generation: group.generationId }, "group is empty");
      const record = encodeGroupMetadataRecord(
        group.groupId,
        groupRecordValue(group, (m) => m.assignment),
      );
      this.appendInBackground(group.partition, [record], "empty group metadata");
      return;
    }
    group.protocolName = group.selectProtocol();
    group.transition("CompletingRebalance", now);
    for (const m of group.members.values()) group.pendingSync.add(m.memberId);
    group.syncDeadline = now + group.rebalanceTimeoutMs();
    this.log.info(
      {
        group: group.groupId,
        generation: group.generationId,
        members: group.members.size,
        leader: group.leaderId,
      },
      "rebalance joined",
    );
    for (const m of joined) {
      const waiter = m.joinWaiter!;
      m.joinWaiter = null;
      m.isNew = false;
      m.lastHeartbeat = now;
      waiter(joinSuccess(group, m));
    }
  }

  private expirePendingSync(group: Group, now: number): void {
    const late = [...group.pendingSync];
    group.pendingSync.clear();
    group.syncDeadline = null;
    for (const id of late) {
      const member = group.members.get(id);
      if (member) this.removeMemberAndUpdateGroup(group, member, now, "did not sync in time");
    }
  }

  private markSynced(group: Group, memberId: string): void {
    group.pendingSync.delete(memberId);
    if (group.pendingSync.size === 0) group.syncDeadline = null;
  }

  // The leader's assignment becomes the group's once its metadata record is durable; then every
  // member waiting in SyncGroup gets its share and the group is Stable.
  private storeAssignment(group: Group, assignments: SyncGroupRequest["assignments"], now: number): void {
    const generation = group.generationId;
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    const assignmentOf = (m: Member) => byMember.get(m.memberId) ?? EMPTY;
    const record = encodeGroupMetadataRecord(group.groupId, groupRecordValue(group, assignmentOf));
    const current = () =>
      this.groups.get(group.groupId) === group &&
      group.generationId === generation &&
      group.state === "CompletingRebalance";
    this.append(group.partition, [record]).then(
      () => {
        if (!current()) return;
        for (const m of group.members.values()) m.assignment = assignmentOf(m);
        group.transition("Stable", now);
        this.log.info({ group: group.groupId, generation }, "group stable");
        this.propagateAssignment(group, ErrorCode.NONE, now);
      },
      (err: unknown) => {
        if (!current()) return;
        this.log.warn({ group: group.groupId, err }, "storing the group assignment failed");
        this.resetAndPropagateAssignmentError(group, appendErrorCode(err), now);
        this.maybePrepareRebalance(group, now, "storing the assignment failed");
      },
    );
  }

  private propagateAssignment(group: Group, errorCode: number, now: number): void {
    for (const m of group.members.values()) {
      const waiter = m.syncWaiter;
      if (waiter === null) continue;
      m.syncWaiter = null;
      m.lastHeartbeat = now;
      waiter(errorCode === ErrorCode.NONE ? syncSuccess(group, m) : syncError(errorCode));
    }
  }

  private resetAndPropagateAssignmentError(group: Group, errorCode: number, now: number): void {
    for (const m of group.members.values()) m.assignment = EMPTY;
    this.propagateAssignment(group, errorCode, now);
  }

  private removeMember(group: Group, member: Member, errorCode: number): void {
    const join = member.joinWaiter;
    const sync = member.syncWaiter;
    member.joinWaiter = null;
    member.syncWaiter = null;
    group.remove(member.memberId);
    join?.(joinError(member.memberId, errorCode));
    sync?.(syncError(errorCode));
  }

  private removeMemberAndUpdateGroup(group: Group, member: Member, now: number, reason: string): void {
    this.removeMember(group, member, ErrorCode.UNKNOWN_MEMBER_ID);
    this.log.info({ group: group.groupId, member: member.memberId, reason }, "member removed");
    // In PreparingRebalance the next step() checks whether the remaining members have all joined.
    this.maybePrepareRebalance(group, now, `member ${member.memberId} ${reason}`);
  }

  private dropPartitionGroups(partition: number, errorCode: number): void {
    for (const group of [...this.groups.values()]) {
      if (group.partition !== partition) continue;
      for (const m of group.members.values()) {
        const join = m.joinWaiter;
        const sync = m.syncWaiter;
        m.joinWaiter = null;
        m.syncWaiter = null;
        join?.(joinError(m.memberId, errorCode));
        sync?.(syncError(errorCode));
      }
      group.transition("Dead", group.stateSince);
      this.groups.delete(group.groupId);
    }
  }

  private appendInBackground(partition: number, records: CoordinatorRecord[], what: string): void {
    this.append(partition, records).catch((err: unknown) => {
      this.log.warn({ partition, err }, `appending ${what} failed`);
    });
  }
}
