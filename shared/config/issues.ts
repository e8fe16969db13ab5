// A finding about a config file: where it is, what is wrong, and what to do about it.
export interface ConfigIssue {
  severity: "error" | "warning";
  file?: string;
  // Key path inside the file, e.g. "peers[1].addr".
  path: string;
  message: string;
  fix: string;
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file ? `${issue.file}: ` : "";
  return `${where}${issue.severity}: ${issue.path}: ${issue.message}\n  fix: ${issue.fix}`;
}

export function hasErrors(issues: readonly ConfigIssue[]): boolean {
  return issues.some((i) => i.severity === "error");
}

export class ConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map(formatIssue).join("\n"));
    this.name = "ConfigError";
  }
}
