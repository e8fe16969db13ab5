import { describe, expect, it } from "vitest";
import { createDescribeClusterHandler } from "../../../data-node/src/kafka/handlers/describe-cluster.ts";
import { ErrorCode } from "../../../data-node/src/kafka/protocol/errors.ts";
import type { DescribeClusterResponse } from "../../../data-node/src/kafka/protocol/generated/describe-cluster-response.ts";
import { fakeContext, rctx, roundTrip } from "./fakes.ts";

async function describeCluster(includeClusterAuthorizedOperations: boolean, endpointType = 1, v = 1) {
  const res = await createDescribeClusterHandler(fakeContext({ brokers: 2 }))(
    { includeClusterAuthorizedOperations, endpointType },
    rctx(v),
  );
  return roundTrip(60, res as DescribeClusterResponse, v);
}

describe("DescribeCluster handler", () => {
  it.each([0, 1])("v%i lists the brokers, the controller and the cluster id", async (v) => {
    const res = await describeCluster(false, 1, v);
    expect(res).toMatchObject({
      errorCode: 0,
      errorMessage: null,
      clusterId: "test-cluster",
      controllerId: 1,
      endpointType: 1,
      clusterAuthorizedOperations: -2147483648,
    });
    expect(res.brokers).toEqual([
      { brokerId: 1, host: "127.0.0.1", port: 9092, rack: null },
      { brokerId: 2, host: "127.0.0.1", port: 9093, rack: null },
    ]);
  });

  it("answers every cluster operation when asked, there being no authorizer (KIP-430)", async () => {
    // CREATE 5, ALTER 7, DESCRIBE 8, CLUSTER_ACTION 9, DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11, IDEMPOTENT_WRITE 12
    expect((await describeCluster(true)).clusterAuthorizedOperations).toBe(0b1_1111_1010_0000);
  });

  it("refuses the controller endpoint type and unknown ones", async () => {
    expect(await describeCluster(false, 2)).toMatchObject({
      errorCode: ErrorCode.MISMATCHED_ENDPOINT_TYPE,
      brokers: [],
      errorMessage: expect.any(String),
    });
    expect((await describeCluster(false, 9)).errorCode).toBe(ErrorCode.UNSUPPORTED_ENDPOINT_TYPE);
  });
});
