import { Role } from "../raft/types.ts";
import type { RaftGroup } from "./group.ts";

// Quiescence (as CockroachDB does it): a leader whose followers hold its whole log and that has had
// nothing to do for a while tells them to stop ticking, and stops ticking itself. An idle group then
// costs nothing: no heartbeats, no election timers. Any message, proposal or leadership request
// wakes it; followers also wake when the transport loses the leader's node, so a dead leader is
// replaced after a normal election timeout.

// A quiesce notice travels as a group payload that no Raft message encoding starts with.
const MARKER = 0xff;

export interface QuiesceNotice {
  term: number;
  commit: number;
}

export function encodeQuiesce(n: QuiesceNotice): Uint8Array {
  const b = Buffer.allocUnsafe(1 + 8 + 8);
  b[0] = MARKER;
  b.writeDoubleBE(n.term, 1);
  b.writeDoubleBE(n.commit, 9);
  return b;
}

export function decodeQuiesce(payload: Uint8Array): QuiesceNotice | undefined {
  if (payload.byteLength !== 17 || payload[0] !== MARKER) return undefined;
  const b = Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  return { term: b.readDoubleBE(1), commit: b.readDoubleBE(9) };
}

// Leader side, once per tick: true when the group may quiesce now. `idleTicks` counts consecutive
// ticks with everything replicated and committed; waiting a few heartbeats first lets the followers
// learn the final commit index before the heartbeats stop.
export function leaderMayQuiesce(g: RaftGroup, idleTicksNeeded: number): boolean {
  const s = g.node.status();
  let settled = s.role === Role.Leader && s.commit === s.lastIndex && g.waiters.size === 0 && !g.inFlight;
  if (settled) {
    for (const [id, p] of s.progress ?? []) {
      if (id !== s.id && p.match !== s.lastIndex) {
        settled = false;
        break;
      }
    }
  }
  g.idleTicks = settled ? g.idleTicks + 1 : 0;
  return settled && g.idleTicks >= idleTicksNeeded;
}

// Follower side: quiesce only on a notice from the leader it follows, in its term, once it has
// learned that leader's commit index. Otherwise keep ticking: if the leader is really gone, the
// election timer must run.
export function followerMayQuiesce(g: RaftGroup, from: number, n: QuiesceNotice): boolean {
  const s = g.node.status();
  return s.role === Role.Follower && s.leaderId === from && s.term === n.term && s.commit >= n.commit;
}
