import type { Child } from "./child.ts";

// A process chronik dev started, and how to ask it how far it has got.
export interface Member {
  name: string;
  child: Child;
  // Its stage, or undefined while nothing answers on its port.
  probe(): Promise<string | undefined>;
  stage: string;
}

// Asks every member once and prints one line per stage change. One that does not answer keeps its
// stage while its process runs (it is starting, or on its way out) and is "down" once the process has
// exited, until something answers on its port again (the same member restarted by hand).
export async function updateStages(members: Member[], since: () => string): Promise<void> {
  const answers = await Promise.all(members.map((m) => m.probe()));
  members.forEach((m, i) => {
    const stage = answers[i] ?? (m.child.running() ? m.stage : "down");
    if (stage !== m.stage) console.log(`${m.name}: ${stage}${since()}`);
    m.stage = stage;
  });
}
