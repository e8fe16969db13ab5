import type { BrokerContext } from "../broker-context.ts";
import type { Handler } from "../handler-types.ts";
import { ErrorCode } from "../protocol/errors.ts";
import type { DescribeClusterResponse } from "../protocol/generated/describe-cluster-response.ts";
import { CLUSTER_OPERATIONS, OPERATIONS_NOT_REQUESTED } from "./authorized-operations.ts";

// KIP-919's endpoint types: a data node is a broker endpoint; the controllers (__meta) have none.
const BROKER_ENDPOINT = 1;
const CONTROLLER_ENDPOINT = 2;

// Kafka's answer to an endpoint type a broker does not serve (v0 knows no endpoint types).
function endpointError(endpointType: number, version: number): { errorCode: number; errorMessage: string } {
  if (endpointType !== CONTROLLER_ENDPOINT) {
    return {
      errorCode: version === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
      errorMessage: `unsupported endpoint type ${endpointType}`,
    };
  }
  return {
    errorCode: version === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.MISMATCHED_ENDPOINT_TYPE,
    errorMessage: "this is a broker endpoint; the controllers take no client requests",
  };
}

// DescribeCluster v0-1 (KIP-700): the brokers, the controller and the cluster id, as Metadata has them
// without the topics, and (KIP-430) every cluster operation when asked, there being no authorizer.
export function createDescribeClusterHandler(ctx: BrokerContext): Handler<60> {
  return (req, rc) => {
    const base = {
      throttleTimeMs: 0,
      endpointType: BROKER_ENDPOINT,
      clusterId: "",
      controllerId: -1,
      brokers: [],
      clusterAuthorizedOperations: OPERATIONS_NOT_REQUESTED,
    };
    if (req.endpointType !== BROKER_ENDPOINT)
      return { ...base, ...endpointError(req.endpointType, rc.apiVersion) };
    const view = ctx.metadata;
    const res: DescribeClusterResponse = {
      ...base,
      errorCode: 0,
      errorMessage: null,
      clusterId: view.clusterId() ?? "",
      controllerId: view.controllerId(),
      brokers: view.brokers().map((b) => ({ brokerId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterAuthorizedOperations: req.includeClusterAuthorizedOperations
        ? CLUSTER_OPERATIONS
        : OPERATIONS_NOT_REQUESTED,
    };
    return res;
  };
}
