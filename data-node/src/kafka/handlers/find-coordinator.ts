import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { FindCoordinatorResponseCoordinator } from "../protocol/generated/find-coordinator-response.ts";

const KEY_TYPE_GROUP = 0;
const KEY_TYPE_TRANSACTION = 1;

async function lookup(
  ctx: BrokerContext,
  key: string,
  keyType: number,
): Promise<FindCoordinatorResponseCoordinator> {
  const fail = (errorCode: number, errorMessage: string | null = null) => ({
    key,
    nodeId: -1,
    host: "",
    port: -1,
    errorCode,
    errorMessage,
  });
  // There is no transaction coordinator: transactional clients are told to retry elsewhere or give up.
  if (keyType === KEY_TYPE_TRANSACTION)
    return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, "transactions are not supported");
  if (keyType !== KEY_TYPE_GROUP)
    return fail(ErrorCode.INVALID_REQUEST, `unknown coordinator key type ${keyType}`);
  try {
    const found = await ctx.findCoordinator(key);
    if (found.errorCode !== 0 || !found.coordinator) {
      const errorCode = found.errorCode !== 0 ? found.errorCode : ErrorCode.COORDINATOR_NOT_AVAILABLE;
      return fail(errorCode, found.errorMessage ?? null);
    }
    const { nodeId, host, port } = found.coordinator;
    return { key, nodeId, host, port, errorCode: 0, errorMessage: null };
  } catch (err) {
    return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE, err instanceof Error ? err.message : null);
  }
}

// FindCoordinator v0-3 ask for one key (v0 always a group); v4 batches keys (KIP-699).
export function createFindCoordinatorHandler(ctx: BrokerContext): Handler<10> {
  return async (req, rc) => {
    const keyType = rc.apiVersion >= 1 ? req.keyType : KEY_TYPE_GROUP;
    if (rc.apiVersion >= 4) {
      const coordinators = await Promise.all(req.coordinatorKeys.map((key) => lookup(ctx, key, keyType)));
      return {
        throttleTimeMs: 0,
        errorCode: 0,
        errorMessage: null,
        nodeId: -1,
        host: "",
        port: -1,
        coordinators,
      };
    }
    const c = await lookup(ctx, req.key, keyType);
    return {
      throttleTimeMs: 0,
      errorCode: c.errorCode,
      errorMessage: c.errorMessage,
      nodeId: c.nodeId,
      host: c.host,
      port: c.port,
      coordinators: [],
    };
  };
}
