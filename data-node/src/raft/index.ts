// Public surface of the Raft core.
export * from "./codec.ts";
export * from "./config.ts";
export type { ProgressStatus } from "./progress.ts";
export { ProgressState } from "./progress.ts";
export { CAMPAIGN_TRANSFER } from "./raft.ts";
export * from "./raw-node.ts";
export * from "./result.ts";
export * from "./storage.ts";
export * from "./types.ts";
