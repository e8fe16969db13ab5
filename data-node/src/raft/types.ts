// Plain data types of the Raft core. Node ids are positive integers; 0 means "none" internally
// and never leaves the core as a peer id (see NotLeader).

export enum EntryType {
  /** Application data; a Normal entry with empty data is the leader's no-op. */
  Normal = 0,
  /** data is an encoded ConfChange (codec.encodeConfChange). */
  ConfChange = 1,
}

export interface Entry {
  index: number;
  term: number;
  type: EntryType;
  data: Uint8Array;
}

export interface HardState {
  term: number;
  vote: number;
  commit: number;
}

export interface ConfState {
  voters: number[];
  learners: number[];
}

export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

export interface Snapshot {
  metadata: SnapshotMetadata;
  data: Uint8Array;
}

export enum ConfChangeType {
  /** Add a node as a non-voting learner (it catches up without affecting quorums). */
  AddLearner = 0,
  /** Promote a learner to voter (or add a voter directly). */
  AddVoter = 1,
  RemoveNode = 2,
}

export interface ConfChange {
  type: ConfChangeType;
  nodeId: number;
}

export enum MessageType {
  App = 1,
  AppResp = 2,
  Vote = 3,
  VoteResp = 4,
  PreVote = 5,
  PreVoteResp = 6,
  Snap = 7,
  Heartbeat = 8,
  HeartbeatResp = 9,
  TimeoutNow = 10,
}

export interface Message {
  type: MessageType;
  from: number;
  to: number;
  term: number;
  /** App: term of the entry at `index` (the one preceding `entries`); Vote: candidate's last term;
   *  rejected AppResp: term of the follower's entry at `rejectHint`. */
  logTerm: number;
  /** App: index preceding `entries`; AppResp: last matching index (or the rejected index);
   *  Vote: candidate's last index. */
  index: number;
  entries: Entry[];
  commit: number;
  reject: boolean;
  rejectHint: number;
  snapshot?: Snapshot;
  /** Heartbeat/HeartbeatResp: ReadIndex request context; Vote/PreVote: CAMPAIGN_TRANSFER marker. */
  context: Uint8Array;
}

export enum Role {
  Follower = "follower",
  PreCandidate = "pre-candidate",
  Candidate = "candidate",
  Leader = "leader",
}

export interface SoftState {
  leaderId: number | undefined;
  role: Role;
}

export interface ReadState {
  /** Commit index at the time the read was requested; serve it once applied >= index. */
  index: number;
  context: Uint8Array;
}

export const EMPTY_BYTES: Uint8Array = new Uint8Array(0);

/** Build a message with every optional field defaulted. */
export function makeMessage(m: Partial<Message> & Pick<Message, "type" | "from" | "to" | "term">): Message {
  return {
    logTerm: 0,
    index: 0,
    entries: [],
    commit: 0,
    reject: false,
    rejectHint: 0,
    context: EMPTY_BYTES,
    ...m,
  };
}

export function isResponse(t: MessageType): boolean {
  return (
    t === MessageType.AppResp ||
    t === MessageType.VoteResp ||
    t === MessageType.PreVoteResp ||
    t === MessageType.HeartbeatResp
  );
}

export function entryBytes(e: Entry): number {
  return e.data.byteLength + 24;
}
