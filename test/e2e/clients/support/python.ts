// Drives the python client drivers in ../python (confluent-kafka-python and kafka-python share one
// command-line protocol): one-shot commands print a JSON object, group members print JSON lines.
import { basename, join } from "node:path";
import type { ClientUnderTest, GroupMember } from "./client.ts";
import { LineProcess, run } from "./proc.ts";
import { KEYS, type Placement, type Received, type TestMessage } from "./records.ts";

export const python = process.env.E2E_PYTHON ?? "/usr/bin/python3";

// No __pycache__ beside the scripts in the checkout; output line by line, as it happens.
const pyEnv = { PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1" };

export type PythonClient = "confluent" | "kafka-python";

function script(client: PythonClient): string {
  return join(
    import.meta.dirname,
    "../python",
    client === "confluent" ? "confluent_client.py" : "kafka_python_client.py",
  );
}

function tail(text: string, chars = 800): string {
  return text.trim().slice(-chars);
}

// Runs one command and returns its JSON summary; a missing summary or non-zero exit is an error
// carrying the client's own output.
export async function pyCommand<T>(client: PythonClient, args: string[], timeoutMs = 90_000): Promise<T> {
  return pyScript<T>(script(client), args, timeoutMs);
}

// The same for any python script that prints its JSON summary last.
export async function pyScript<T>(path: string, args: string[], timeoutMs = 90_000): Promise<T> {
  const client = basename(path);
  const r = await run(python, [path, ...args], { timeoutMs, env: pyEnv });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  let parsed: T | undefined;
  try {
    parsed = JSON.parse(last) as T;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || r.code !== 0)
    throw new Error(
      `${client} ${args[0]} (exit ${r.code}${r.timedOut ? ", killed on timeout" : ""}): ${tail(last, 400)} | stderr: ${tail(r.stderr)}`,
    );
  return parsed;
}

export async function pyCreateTopic(client: PythonClient, bootstrap: string, topic: string): Promise<void> {
  await pyCommand(client, [
    "create-topic",
    "--bootstrap",
    bootstrap,
    "--topic",
    topic,
    "--partitions",
    "3",
    "--rf",
    "3",
  ]);
}

interface ProduceSummary {
  acked: number;
  errors: number;
  first_error: string | null;
  placements: [string, number, number][];
}

// `batch`/`start`/`count` select the same messages as records.ts `messages(batch, start, count)`.
export async function pyProduce(
  client: PythonClient,
  bootstrap: string,
  topic: string,
  msgs: TestMessage[],
  compression = "none",
): Promise<Map<string, Placement>> {
  const first = msgs[0];
  if (!first) return new Map();
  const batch = first.value.slice(0, first.value.lastIndexOf("-"));
  const args = ["produce", "--bootstrap", bootstrap, "--topic", topic, "--batch", batch];
  args.push("--start", String(first.seq), "--count", String(msgs.length), "--keys", String(KEYS));
  args.push("--compression", compression);
  const s = await pyCommand<ProduceSummary>(client, args);
  return new Map(s.placements.map(([value, partition, offset]) => [value, { partition, offset }]));
}

export async function pyRead(
  client: PythonClient,
  bootstrap: string,
  topic: string,
  count: number,
): Promise<{ records: Received[]; errors: string[] }> {
  const s = await pyCommand<{ records: [number, number, string, string][]; errors: string[] }>(client, [
    "read",
    "--bootstrap",
    bootstrap,
    "--topic",
    topic,
    "--count",
    String(count),
    "--timeout-s",
    "60",
  ]);
  return {
    records: s.records.map(([partition, offset, key, value]) => ({ partition, offset, key, value })),
    errors: s.errors,
  };
}

type MemberEvent =
  | { ev: "assigned" | "revoked"; partitions: number[] }
  | { ev: "records"; records: [number, number, string, string][] }
  | { ev: "error"; error: string }
  | { ev: "closed" };

export function pyMember(
  client: PythonClient,
  bootstrap: string,
  topic: string,
  group: string,
  name: string,
): GroupMember {
  const received: Received[] = [];
  let assignment: number[] | undefined;
  let lastError = "";
  const proc = new LineProcess(
    name,
    python,
    [script(client), "member", "--bootstrap", bootstrap, "--topic", topic, "--group", group, "--name", name],
    (line) => {
      let e: MemberEvent;
      try {
        e = JSON.parse(line) as MemberEvent;
      } catch {
        lastError = `not a JSON event: ${line.slice(0, 200)}`;
        return;
      }
      if (e.ev === "assigned") assignment = e.partitions;
      else if (e.ev === "revoked") assignment = [];
      else if (e.ev === "records")
        for (const [partition, offset, key, value] of e.records)
          received.push({ partition, offset, key, value });
      else if (e.ev === "error") lastError = e.error;
    },
    pyEnv,
  );
  return {
    name,
    received,
    assignment: () => assignment,
    async stop() {
      proc.write("stop\n");
      const exit = await proc.stop(null);
      if (exit.forced || exit.code !== 0)
        throw new Error(
          `${client} member ${name} did not close cleanly (${JSON.stringify(exit)}): ${proc.tail()}`,
        );
    },
    diagnostics: () => `exit ${proc.child.exitCode}; last error: ${lastError}; stderr: ${proc.tail(600)}`,
  };
}

export function pythonClient(
  client: PythonClient,
  bootstrap: string,
  topic: string,
  group: string,
): ClientUnderTest {
  return {
    startMember: async (name) => pyMember(client, bootstrap, topic, group, name),
    produce: (msgs) => pyProduce(client, bootstrap, topic, msgs),
  };
}
