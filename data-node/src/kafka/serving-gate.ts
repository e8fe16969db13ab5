import type { Logger } from "../../../shared/log.ts";
import type { HandlerTable } from "./handler-types.ts";
import { ApiKey } from "./protocol/generated/apis.ts";

// What the listener needs to know about the node's metadata image (meta/image-currency.ts).
export interface ServingGate {
  isCurrent(): boolean;
  staleReason(): string | undefined;
  whenCurrent(signal?: AbortSignal): Promise<void>;
}

// APIs answered whatever the image: ApiVersions describes the listener, not the cluster.
const UNGATED: ReadonlySet<number> = new Set([ApiKey.ApiVersions]);

// Wraps every handler so that, while the image is not current, a request waits up to holdMs for it
// (a restarting node is usually current within a second or two, and clients then get the truth);
// after that the handler runs against the stale view, whose answers are retriable by construction.
// When current (the normal case) the handler is called directly, with no promise or timer in between.
export function gateHandlers(
  table: HandlerTable,
  gate: ServingGate,
  opts: { holdMs: number; logger: Logger },
): HandlerTable {
  let holding = false;
  let held = 0;
  const hold = (apiKey: number): Promise<void> => {
    if (!holding) {
      holding = true;
      opts.logger.info(
        { reason: gate.staleReason(), hold_ms: opts.holdMs },
        "holding Kafka requests until this node's metadata is current",
      );
      void gate.whenCurrent().then(() => {
        holding = false;
        opts.logger.info({ held }, "metadata current; serving Kafka requests");
        held = 0;
      });
    }
    held++;
    return gate.whenCurrent(AbortSignal.timeout(opts.holdMs)).catch(() => {
      opts.logger.debug({ api_key: apiKey, reason: gate.staleReason() }, "answering from a stale image");
    });
  };
  const out: Record<number, unknown> = {};
  for (const [key, handler] of Object.entries(table) as [string, (req: unknown, ctx: unknown) => unknown][]) {
    const apiKey = Number(key);
    out[apiKey] = UNGATED.has(apiKey)
      ? handler
      : (req: unknown, ctx: unknown) =>
          gate.isCurrent() ? handler(req, ctx) : hold(apiKey).then(() => handler(req, ctx));
  }
  return out as HandlerTable;
}
