import { type ChildProcess, spawn } from "node:child_process";

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// A child process whose stdout is handed over line by line as it arrives; stderr is kept whole so
// a failing test can show it.
export class LineProcess {
  readonly child: ChildProcess;
  stderr = "";
  readonly exited: Promise<Exit>;
  private partial = "";

  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    onLine: (line: string) => void,
    env: Record<string, string> = {},
  ) {
    this.child = spawn(cmd, args, { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    this.child.stdout?.setEncoding("utf8");
    this.child.stdout?.on("data", (chunk: string) => {
      const text = this.partial + chunk;
      const lines = text.split("\n");
      this.partial = lines.pop() ?? "";
      for (const line of lines) if (line !== "") onLine(line);
    });
    this.child.stderr?.setEncoding("utf8");
    this.child.stderr?.on("data", (chunk: string) => {
      this.stderr += chunk;
    });
    // A closed stdin of an already exited child must not become an unhandled error.
    this.child.stdin?.on("error", () => {});
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        if (this.partial !== "") onLine(this.partial);
        this.partial = "";
        resolve({ code, signal });
      });
    });
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  write(text: string): void {
    this.child.stdin?.write(text);
  }

  endInput(): void {
    this.child.stdin?.end();
  }

  // Asks politely (the signal, or the caller's own request before this), and kills only if the
  // process has not exited by the deadline, so a hung client cannot hang the suite.
  async stop(signal: NodeJS.Signals | null, timeoutMs = 20_000): Promise<Exit & { forced: boolean }> {
    if (signal && this.running) this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const forced = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (forced) this.child.kill("SIGKILL");
    return { ...(await this.exited), forced };
  }

  tail(chars = 1500): string {
    return this.stderr.slice(-chars);
  }
}

export interface RunResult extends Exit {
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

// Runs a command to completion with optional stdin, killing it at the deadline.
export async function run(
  cmd: string,
  args: string[],
  {
    input,
    timeoutMs = 60_000,
    env = {},
  }: { input?: string; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const lines: string[] = [];
  const p = new LineProcess(cmd, cmd, args, (l) => lines.push(l), env);
  if (input !== undefined) p.write(input);
  p.endInput();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    p.exited,
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        timedOut = true;
        p.child.kill("SIGKILL");
        resolve();
      }, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  const exit = await p.exited;
  return { ...exit, stdout: lines.join("\n"), stderr: p.stderr, timedOut };
}
