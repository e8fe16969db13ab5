import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type {
  CreatePartitionsResponse,
  CreatePartitionsTopicResult,
} from "../protocol/generated/create-partitions-response.ts";
import { outcomesByName } from "./admin-outcomes.ts";

// CreatePartitions v0-1 through the __meta leader (ctx.createPartitions): `count` is the new total.
export function createCreatePartitionsHandler(ctx: BrokerContext): Handler<37> {
  return async (req) => {
    const counts = new Map<string, number>();
    for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
    const rejected = new Map<string, string>();
    const accepted: { name: string; count: number }[] = [];
    for (const t of req.topics) {
      if ((counts.get(t.name) ?? 0) > 1) rejected.set(t.name, "Duplicate topic in request.");
      else if (t.assignments !== null) rejected.set(t.name, "manual replica assignment is not supported");
      else accepted.push({ name: t.name, count: t.count });
    }
    const outcomes = await outcomesByName(
      accepted.map((t) => t.name),
      () => ctx.createPartitions(accepted, req.validateOnly),
    );
    const results = [...counts.keys()].map((name): CreatePartitionsTopicResult => {
      const why = rejected.get(name);
      if (why !== undefined) return { name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: why };
      const o = outcomes.get(name);
      if (!o)
        return { name, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: "no outcome for the topic" };
      return {
        name,
        errorCode: o.errorCode,
        errorMessage: o.errorCode === 0 ? null : (o.errorMessage ?? null),
      };
    });
    const res: CreatePartitionsResponse = { throttleTimeMs: 0, results };
    return res;
  };
}
