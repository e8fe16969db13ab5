import { formatIssue, hasErrors } from "../../../shared/config/issues.ts";
import { checkConfigFiles } from "../../../shared/config/load.ts";
import { parseCommandArgs } from "./args.ts";

const help = `usage: chronik config check FILE...

Validates each node config file (TOML) and, given several, checks that they describe the same
cluster: same cluster_id and peers, distinct node ids, and every peer entry pointing where that
node's own file listens. Prints every error and warning; exits 1 if there is any error.`;

export async function configCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== "check") {
    console.log(help);
    return sub === "--help" || sub === "-h" ? 0 : 2;
  }
  const args = parseCommandArgs(rest, {}, help);
  if (typeof args === "number") return args;
  if (args.positionals.length === 0) {
    console.error(help);
    return 2;
  }
  const results = checkConfigFiles(args.positionals);
  let failed = false;
  for (const r of results) {
    const errors = r.issues.filter((i) => i.severity === "error").length;
    const warnings = r.issues.length - errors;
    failed ||= hasErrors(r.issues);
    for (const issue of r.issues) console.log(formatIssue(issue));
    console.log(`${r.file}: ${errors === 0 ? "ok" : "invalid"} (${errors} error(s), ${warnings} warning(s))`);
  }
  return failed ? 1 : 0;
}
