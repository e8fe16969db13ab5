import type { Logger } from "../../../shared/log.ts";
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF, throwIfAborted } from "./backoff.ts";
import type { Readiness } from "./readiness.ts";
import type { RegisterBroker } from "./records.ts";

// The broker's registration client (lifecycle steps 2-4 of DESIGN.md's __meta section), written as an
// explicit loop over injected dependencies:
//   no known leader  -> wait for a leader change (never address "node 0"), no attempt counted;
//   leader known     -> register through it: propose locally if this node leads, else forward;
//   refused / failed -> log the reason, back off exponentially with jitter, ask again who leads;
//   registered       -> wait until the local image has applied the registration index, then resolve.

export type RegisterOutcome =
  | { ok: true; brokerEpoch: number; index: number }
  | { ok: false; error: string; message?: string };

export type RegistrationDeps = {
  record: RegisterBroker;
  // undefined or 0: no leader known.
  getMetaLeader: () => number | undefined;
  isLocalLeader: () => boolean;
  proposeLocal: (record: RegisterBroker) => Promise<RegisterOutcome>;
  forward: (leaderId: number, record: RegisterBroker) => Promise<RegisterOutcome>;
  waitForLeaderChange: (signal?: AbortSignal) => Promise<void>;
  waitForApplied: (index: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  logger: Logger;
  backoff?: Partial<BackoffOptions>;
  signal?: AbortSignal;
  // When given, "registered" and "metadata_caught_up" are set as they become true.
  readiness?: Readiness;
};

export type Registration = { epoch: number; index: number };

function knownLeader(id: number | undefined): id is number {
  return id !== undefined && id !== 0;
}

export async function runRegistration(deps: RegistrationDeps): Promise<Registration> {
  const { logger, signal, record } = deps;
  const backoff = { ...DEFAULT_BACKOFF, ...deps.backoff };
  let failures = 0;
  for (;;) {
    throwIfAborted(signal);
    const leader = deps.getMetaLeader();
    if (!knownLeader(leader)) {
      logger.info({ node_id: record.nodeId }, "waiting for __meta leader");
      await deps.waitForLeaderChange(signal);
      continue;
    }
    const local = deps.isLocalLeader();
    const attempt = failures + 1;
    logger.info(
      { node_id: record.nodeId, attempt, leader, via: local ? "local" : "forward" },
      "registering broker",
    );
    let reason: string;
    try {
      const outcome = local ? await deps.proposeLocal(record) : await deps.forward(leader, record);
      if (outcome.ok) {
        logger.info(
          { node_id: record.nodeId, attempt, broker_epoch: outcome.brokerEpoch, index: outcome.index },
          "broker registered; catching up metadata",
        );
        deps.readiness?.set("registered", true);
        await deps.waitForApplied(outcome.index, signal);
        deps.readiness?.set("metadata_caught_up", true);
        logger.info({ node_id: record.nodeId, index: outcome.index }, "metadata caught up to registration");
        return { epoch: outcome.brokerEpoch, index: outcome.index };
      }
      reason = outcome.message ? `${outcome.error}: ${outcome.message}` : outcome.error;
    } catch (err) {
      throwIfAborted(signal);
      reason = err instanceof Error ? err.message : String(err);
    }
    failures++;
    const delayMs = backoffDelay(failures, backoff, deps.random);
    logger.info(
      { node_id: record.nodeId, attempt, leader, reason, retry_in_ms: delayMs },
      "registration attempt failed",
    );
    await deps.sleep(delayMs, signal);
  }
}
