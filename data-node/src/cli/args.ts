import { parseArgs } from "node:util";

export type OptionSpec = Record<
  string,
  { type: "string" | "boolean"; short?: string; default?: string | boolean }
>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

// parseArgs with --help handled and errors turned into a usage message instead of a stack trace.
// Returns an exit code when the command should stop here.
export function parseCommandArgs(argv: string[], options: OptionSpec, help: string): ParsedArgs | number {
  try {
    const parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
    if (parsed.values.help) {
      console.log(help);
      return 0;
    }
    return parsed as ParsedArgs;
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${help}`);
    return 2;
  }
}
