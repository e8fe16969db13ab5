import type { TopicOutcome } from "../broker-context.ts";
import { ErrorCode } from "../protocol/errors.ts";

// Runs one admin call through the controller and indexes its outcomes by topic. If the call itself
// fails, every topic gets UNKNOWN_SERVER_ERROR with the reason, as Kafka answers an unexpected
// exception, rather than the connection closing.
export async function outcomesByName(
  names: string[],
  call: () => Promise<TopicOutcome[]>,
): Promise<Map<string, TopicOutcome>> {
  const byName = new Map<string, TopicOutcome>();
  if (names.length === 0) return byName;
  let outcomes: TopicOutcome[];
  try {
    outcomes = await call();
  } catch (err) {
    const errorMessage = err instanceof Error ? err.message : String(err);
    outcomes = names.map((name) => ({ name, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage }));
  }
  for (const o of outcomes) byName.set(o.name, o);
  return byName;
}
