import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";

const bin = join(import.meta.dirname, "../../../bin/chronik.js");

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  name: string;
  process: ChildProcess;
  logFile: string;
  // A shell command that runs the same process by hand (same arguments and environment overrides).
  command: string;
  exited: Promise<Exit>;
  running(): boolean;
  // The last lines the child wrote, to show when it dies.
  tail(): string[];
}

// Starts `chronik <args>` as a child process whose output goes to a log file; warn and error
// lines are also handed to onLine so the terminal shows what needs attention.
export function startChronik(
  name: string,
  args: string[],
  logFile: string,
  onLine: (name: string, line: string) => void,
  // Overrides of the inherited environment; undefined removes a variable.
  env: Record<string, string | undefined> = {},
): Child {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: "a" });
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: Object.fromEntries(
      Object.entries({ ...process.env, ...env }).filter((e): e is [string, string] => e[1] !== undefined),
    ),
  });
  const lines: string[] = [];
  let partial = "";
  const take = (chunk: Buffer) => {
    log.write(chunk);
    const text = partial + chunk.toString("utf8");
    const parts = text.split("\n");
    partial = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (lines.length > 10) lines.shift();
      onLine(name, line);
    }
  };
  child.stdout?.on("data", take);
  child.stderr?.on("data", take);
  let running = true;
  const exited = new Promise<Exit>((resolve) =>
    child.on("exit", (code, signal) => {
      running = false;
      log.end();
      resolve({ code, signal });
    }),
  );
  const removed = Object.keys(env).filter((k) => env[k] === undefined);
  const command = [
    ...(removed.length > 0 ? ["env", ...removed.flatMap((k) => ["-u", k])] : []),
    ...Object.entries(env).flatMap(([k, v]) => (v === undefined ? [] : [`${k}=${shellQuote(v)}`])),
    ...["node", bin, ...args].map(shellQuote),
  ].join(" ");
  return { name, process: child, logFile, command, exited, running: () => running, tail: () => [...lines] };
}

// SIGTERM, then SIGKILL if the child has not exited within the grace period.
export async function stopChild(child: Child, graceMs = 10_000): Promise<void> {
  if (!child.running()) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
