import type { RaftStorage } from "./storage.ts";

/** Injected randomness; the core never calls Math.random. */
export interface RandomSource {
  /** Uniform integer in [0, n). */
  nextInt(n: number): number;
}

/**
 * Recommended runtime timing: one tick every 100 ms of real time, electionTicks = 10 and
 * heartbeatTicks = 2. Followers wait a random 1.0–2.0 s without hearing from a leader before a
 * (pre-)election, the leader sends a heartbeat every 200 ms, so five consecutive heartbeats must be
 * lost or delayed before anyone campaigns, and CheckQuorum steps a cut-off leader down within
 * 1–2 s. An idle healthy cluster therefore never re-elects.
 */
export const DEFAULT_TICK_MS = 100;
export const DEFAULT_ELECTION_TICKS = 10;
export const DEFAULT_HEARTBEAT_TICKS = 2;

export interface RaftConfig {
  id: number;
  storage: RaftStorage;
  random: RandomSource;
  /** Ticks without a leader before campaigning; the actual timeout is random in [e, 2e). */
  electionTicks?: number;
  heartbeatTicks?: number;
  /** Index already applied by the state machine (default: the storage snapshot's index). */
  applied?: number;
  /** Max bytes of entries in one append message (at least one entry is always sent). */
  maxSizePerMsg?: number;
  /** Max appends in flight to one follower in replicate state. */
  maxInflightMsgs?: number;
  /** Max bytes in flight to one follower (0 = unbounded). */
  maxInflightBytes?: number;
  /** Max bytes of committed entries handed out in one Ready. */
  maxCommittedSizePerReady?: number;
  checkQuorum?: boolean;
  preVote?: boolean;
  /**
   * Test-only: grant votes without the election restriction (§5.4.1), a deliberately unsafe core
   * used to prove the simulator catches safety bugs. Never set in production.
   */
  unsafe?: { skipVoteLogCheck?: boolean };
}

export interface ResolvedConfig {
  id: number;
  storage: RaftStorage;
  random: RandomSource;
  electionTicks: number;
  heartbeatTicks: number;
  applied: number;
  maxSizePerMsg: number;
  maxInflightMsgs: number;
  maxInflightBytes: number;
  maxCommittedSizePerReady: number;
  checkQuorum: boolean;
  preVote: boolean;
  skipVoteLogCheck: boolean;
}

export function resolveConfig(c: RaftConfig): ResolvedConfig {
  if (!Number.isInteger(c.id) || c.id <= 0) throw new Error("raft: node id must be a positive integer");
  const electionTicks = c.electionTicks ?? DEFAULT_ELECTION_TICKS;
  const heartbeatTicks = c.heartbeatTicks ?? DEFAULT_HEARTBEAT_TICKS;
  if (heartbeatTicks <= 0 || electionTicks <= heartbeatTicks) {
    throw new Error("raft: need 0 < heartbeatTicks < electionTicks");
  }
  return {
    id: c.id,
    storage: c.storage,
    random: c.random,
    electionTicks,
    heartbeatTicks,
    applied: c.applied ?? c.storage.snapshot().metadata.index,
    maxSizePerMsg: c.maxSizePerMsg ?? 1024 * 1024,
    maxInflightMsgs: c.maxInflightMsgs ?? 256,
    maxInflightBytes: c.maxInflightBytes ?? 0,
    maxCommittedSizePerReady: c.maxCommittedSizePerReady ?? 8 * 1024 * 1024,
    checkQuorum: c.checkQuorum ?? true,
    preVote: c.preVote ?? true,
    skipVoteLogCheck: c.unsafe?.skipVoteLogCheck ?? false,
  };
}
