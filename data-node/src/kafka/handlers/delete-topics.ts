import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { DeleteTopicsRequest } from "../protocol/generated/delete-topics-request.ts";
import type {
  DeleteTopicsResponse,
  DeleteTopicsResponseDeletableTopicResult,
} from "../protocol/generated/delete-topics-response.ts";
import { ZERO_UUID } from "../protocol/uuid.ts";
import { outcomesByName } from "./admin-outcomes.ts";

// One requested deletion: by name (v0-5, and v6 entries with a name), or by topic id (v6).
type Target = { name: string; topicId: string } | { error: DeleteTopicsResponseDeletableTopicResult };

function targets(ctx: BrokerContext, req: DeleteTopicsRequest, version: number): Target[] {
  if (version < 6) {
    return req.topicNames.map((name) => ({ name, topicId: ctx.metadata.topic(name)?.topicId ?? ZERO_UUID }));
  }
  return req.topics.map((t): Target => {
    const byId = t.topicId !== ZERO_UUID;
    if (t.name !== null && byId) {
      return {
        error: {
          name: t.name,
          topicId: t.topicId,
          errorCode: ErrorCode.INVALID_REQUEST,
          errorMessage: "You may not specify both topic name and topic id.",
        },
      };
    }
    if (t.name !== null) return { name: t.name, topicId: ctx.metadata.topic(t.name)?.topicId ?? ZERO_UUID };
    const known = byId ? ctx.metadata.topics().find((v) => v.topicId === t.topicId) : undefined;
    if (!known) {
      return {
        error: {
          name: null,
          topicId: t.topicId,
          errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
          errorMessage: `no topic with id ${t.topicId}`,
        },
      };
    }
    return { name: known.name, topicId: t.topicId };
  });
}

// DeleteTopics v0-6 through the __meta leader (ctx.deleteTopics).
export function createDeleteTopicsHandler(ctx: BrokerContext): Handler<20> {
  return async (req, rctx) => {
    const wanted = targets(ctx, req, rctx.apiVersion);
    const names = [...new Set(wanted.flatMap((t) => ("name" in t ? [t.name] : [])))];
    const outcomes = await outcomesByName(names, () => ctx.deleteTopics(names));
    const responses = wanted.map((t): DeleteTopicsResponseDeletableTopicResult => {
      if ("error" in t) return t.error;
      const o = outcomes.get(t.name);
      return {
        name: t.name,
        topicId: t.topicId,
        errorCode: o ? o.errorCode : ErrorCode.UNKNOWN_SERVER_ERROR,
        errorMessage: o ? (o.errorMessage ?? null) : "no outcome for the topic",
      };
    });
    const res: DeleteTopicsResponse = { throttleTimeMs: 0, responses };
    return res;
  };
}
