// What a client under test provides to the scenarios, and the scenarios' explained waits.
import { waitFor } from "../../../support/poll.ts";
import type { Placement, Received, TestMessage } from "./records.ts";

export interface GroupMember {
  readonly name: string;
  // Records in the order this member's client delivered them.
  readonly received: Received[];
  // Partitions of the topic assigned in the member's latest generation; undefined before any.
  assignment(): number[] | undefined;
  // Commits what was consumed, leaves the group and closes the client.
  stop(): Promise<void>;
  // What to show when a wait fails (client log tail, last error).
  diagnostics(): string;
}

// One client library bound to one topic and group.
export interface ClientUnderTest {
  startMember(name: string): Promise<GroupMember>;
  // Sends with acks=all; placements by value where the client reports them.
  produce(msgs: TestMessage[]): Promise<Map<string, Placement> | undefined>;
}

// waitFor whose timeout message also shows the members' state and the nodes' warnings.
export async function waitExplained<T>(
  what: string,
  members: GroupMember[],
  logs: (() => string) | undefined,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 60_000,
): Promise<T> {
  try {
    return await waitFor(what, probe, { timeoutMs, intervalMs: 100 });
  } catch (err) {
    const state = members
      .map(
        (m) =>
          `${m.name}: assignment ${JSON.stringify(m.assignment())}, received ${m.received.length}; ${m.diagnostics()}`,
      )
      .join("\n");
    throw new Error(
      `${(err as Error).message}\n--- members\n${state}\n--- node logs (tail)\n${logs?.() ?? ""}`,
    );
  }
}

// Waits up to a minute until the member has received `count` records, returns them, and stops the
// member whatever happened. `what` names the wait in the timeout message.
export async function readAll(what: string, member: GroupMember, count: number): Promise<Received[]> {
  try {
    await waitFor(what, () => member.received.length >= count || undefined, { timeoutMs: 60_000 }).catch(
      (err: Error) => {
        throw new Error(`${err.message}; read ${member.received.length}; ${member.diagnostics()}`);
      },
    );
    return member.received;
  } finally {
    await member.stop();
  }
}

export function sameOffsets(a: Map<number, number>, b: Map<number, number>): boolean {
  return a.size === b.size && [...a].every(([p, o]) => b.get(p) === o);
}

// Runs `body`, then stops the members whatever happened. A member that fails to stop fails the
// test, but never hides the body's own failure.
export async function withMembers<T>(members: GroupMember[], body: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await body();
  } catch (err) {
    await Promise.allSettled(members.map((m) => m.stop()));
    throw err;
  }
  await Promise.all(members.map((m) => m.stop()));
  return result;
}
