import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { InitProducerIdResponse } from "../protocol/generated/init-producer-id-response.ts";

function failure(errorCode: number): InitProducerIdResponse {
  return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
}

// InitProducerId v0-3 for idempotent producers (transactional id null). Transactions are not
// supported: a transactional id gets TRANSACTIONAL_ID_AUTHORIZATION_FAILED, which Java and
// librdkafka producers treat as fatal at once instead of retrying a coordinator that never comes.
// A v3 epoch bump (KIP-360) gets a fresh producer id, which the producer adopts with its sequences.
export function createInitProducerIdHandler(ctx: BrokerContext): Handler<22> {
  return async (req) => {
    if (req.transactionalId !== null) return failure(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const r = await ctx.allocateProducerId();
    if (r.errorCode !== 0) return failure(r.errorCode);
    const res: InitProducerIdResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      producerId: BigInt(r.producerId),
      producerEpoch: r.producerEpoch,
    };
    return res;
  };
}
