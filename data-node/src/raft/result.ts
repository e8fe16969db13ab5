// Typed outcomes of the RawNode's request methods. Nothing here throws for an expected refusal.

export interface NotLeader {
  kind: "not-leader";
  /** The leader this node currently follows, if it knows one. Never 0. */
  leaderId: number | undefined;
}

export interface ProposalDropped {
  kind: "dropped";
  reason: "leader-transfer" | "conf-change-pending" | "removed" | "invalid-conf-change";
}

export type Refusal = NotLeader | ProposalDropped;

export type ProposeResult = { ok: true; index: number; term: number } | { ok: false; error: Refusal };

export type RequestResult = { ok: true } | { ok: false; error: Refusal };

export function notLeader(leaderId: number): NotLeader {
  return { kind: "not-leader", leaderId: leaderId === 0 ? undefined : leaderId };
}
