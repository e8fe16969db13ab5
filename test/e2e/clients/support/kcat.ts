// kcat (librdkafka's command-line client): producer from stdin, plain reader, and balanced
// consumer-group members (`kcat -G`), each a real process.
import type { ClientUnderTest, GroupMember } from "./client.ts";
import { LineProcess, run } from "./proc.ts";
import type { Received, TestMessage } from "./records.ts";

export const kcat = process.env.E2E_KCAT ?? "/usr/bin/kcat";

// Partition, offset, key, value: the test keys and values contain no spaces.
const format = ["-f", "%p %o %k %s\\n"];

function parseRecord(line: string): Received {
  const [p, o, key, value] = line.split(" ");
  return { partition: Number(p), offset: Number(o), key: key ?? "", value: value ?? "" };
}

// acks=all; `-z` picks the codec. kcat exits non-zero if it gives up; "% ERROR: Local: Broker
// transport failure" alone is librdkafka reporting a node it cannot reach (one is killed in the
// failover test) and is not a failed delivery.
export async function kcatProduce(
  bootstrap: string,
  topic: string,
  msgs: TestMessage[],
  codec = "none",
): Promise<void> {
  const input = `${msgs.map((m) => `${m.key}:${m.value}`).join("\n")}\n`;
  const args = [
    "-P",
    "-b",
    bootstrap,
    "-t",
    topic,
    "-K",
    ":",
    "-z",
    codec,
    "-X",
    "acks=all",
    "-X",
    "linger.ms=5",
  ];
  const r = await run(kcat, args, { input, timeoutMs: 90_000 });
  if (r.code !== 0 || r.timedOut || /Delivery failed/.test(r.stderr))
    throw new Error(
      `kcat -P (exit ${r.code}${r.timedOut ? ", killed on timeout" : ""}): ${r.stderr.slice(-800)}`,
    );
}

// Reads every partition from the beginning until `count` records arrived (-c) or all partitions
// reached their end (-e).
export async function kcatRead(bootstrap: string, topic: string, count: number): Promise<Received[]> {
  const args = ["-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-c", String(count), ...format];
  const r = await run(kcat, args, { timeoutMs: 60_000 });
  if (r.code !== 0 || r.timedOut)
    throw new Error(
      `kcat -C (exit ${r.code}${r.timedOut ? ", killed on timeout" : ""}): ${r.stderr.slice(-800)}`,
    );
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .map(parseRecord);
}

// kcat prints "% Group G rebalanced (memberid M): assigned: T [0], T [2]" (or "revoked: ...") on
// stderr; the latest such line is the member's current assignment.
function assignmentFromLog(stderr: string, topic: string): number[] | undefined {
  const lines = stderr
    .split("\n")
    .filter((l) => / rebalanced \(memberid [^)]*\): (assigned|revoked)/.test(l));
  const last = lines.pop();
  if (!last) return undefined;
  if (/\): revoked/.test(last)) return [];
  const parts = [...last.matchAll(new RegExp(`${topic} \\[(\\d+)\\]`, "g"))].map((m) => Number(m[1]));
  return parts.sort((a, b) => a - b);
}

export function kcatMember(bootstrap: string, topic: string, group: string, name: string): GroupMember {
  const received: Received[] = [];
  const args = ["-b", bootstrap, "-G", group, "-u", ...format];
  for (const kv of [
    "auto.offset.reset=earliest",
    `client.id=${name}`,
    "session.timeout.ms=10000",
    "heartbeat.interval.ms=500",
    // librdkafka stores an offset when it hands the message over and commits them on this interval.
    "auto.commit.interval.ms=200",
    "fetch.wait.max.ms=100",
  ])
    args.push("-X", kv);
  args.push(topic);
  const proc = new LineProcess(name, kcat, args, (line) => received.push(parseRecord(line)));
  return {
    name,
    received,
    assignment: () => assignmentFromLog(proc.stderr, topic),
    async stop() {
      // kcat closes the consumer on SIGTERM: final commit, LeaveGroup.
      const exit = await proc.stop("SIGTERM");
      if (exit.forced) throw new Error(`kcat member ${name} ignored SIGTERM: ${proc.tail()}`);
    },
    diagnostics: () => `exit ${proc.child.exitCode}; stderr: ${proc.tail(600)}`,
  };
}

export function kcatClient(bootstrap: string, topic: string, group: string): ClientUnderTest {
  return {
    startMember: async (name) => kcatMember(bootstrap, topic, group, name),
    produce: async (msgs) => {
      await kcatProduce(bootstrap, topic, msgs);
      return undefined;
    },
  };
}
