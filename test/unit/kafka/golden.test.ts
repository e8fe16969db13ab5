import { describe, expect, it } from "vitest";
import {
  encode,
  type ReadFn,
  type SizeFn,
  type WriteFn,
} from "../../../data-node/src/kafka/protocol/codec.ts";
import * as gen from "../../../data-node/src/kafka/protocol/generated/index.ts";
import { Reader } from "../../../data-node/src/kafka/protocol/reader.ts";
import { ZERO_UUID } from "../../../data-node/src/kafka/protocol/uuid.ts";

// Expected bytes are written out by hand from the Kafka protocol guide, field by field.
const hex = (...parts: string[]) => Buffer.from(parts.join("").replace(/\s+/g, ""), "hex");

function golden<T>(value: T, v: number, bytes: Buffer, size: SizeFn<T>, write: WriteFn<T>, read: ReadFn<T>) {
  expect(encode(value, v, size, write).toString("hex")).toBe(bytes.toString("hex"));
  const r = new Reader(bytes);
  expect(read(r, v)).toEqual(value);
  expect(r.pos).toBe(bytes.length);
}

describe("ApiVersions golden bytes", () => {
  it("response v0 (non-flexible)", () => {
    golden(
      { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }], throttleTimeMs: 0 },
      0,
      hex(
        "0000", // error_code
        "00000001", // api_keys: int32 count
        "0012 0000 0003", // api_key 18, min 0, max 3
      ),
      gen.sizeApiVersionsResponse,
      gen.writeApiVersionsResponse,
      (r, v) => {
        const { errorCode, apiKeys, throttleTimeMs } = gen.readApiVersionsResponse(r, v);
        return { errorCode, apiKeys, throttleTimeMs };
      },
    );
  });

  it("response v3 (flexible, tag count 0)", () => {
    golden(
      {
        errorCode: 35,
        apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
        throttleTimeMs: 0,
        supportedFeatures: undefined,
        finalizedFeaturesEpoch: undefined,
        finalizedFeatures: undefined,
        zkMigrationReady: undefined,
      },
      3,
      hex(
        "0023", // error_code 35
        "02", // compact array: 1 element + 1
        "0012 0000 0003 00", // api_key, min, max, element tag count 0
        "00000000", // throttle_time_ms
        "00", // tag count 0
      ),
      gen.sizeApiVersionsResponse,
      gen.writeApiVersionsResponse,
      gen.readApiVersionsResponse,
    );
  });

  it("request v3 (compact strings)", () => {
    golden(
      { clientSoftwareName: "kcat", clientSoftwareVersion: "1.7" },
      3,
      hex("05 6b636174", "04 312e37", "00"),
      gen.sizeApiVersionsRequest,
      gen.writeApiVersionsRequest,
      gen.readApiVersionsRequest,
    );
  });
});

describe("Metadata golden bytes", () => {
  it("request v0 and v9", () => {
    const base = {
      topics: [{ name: "foo", topicId: ZERO_UUID }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    };
    golden(
      base,
      0,
      hex("00000001", "0003 666f6f"),
      gen.sizeMetadataRequest,
      gen.writeMetadataRequest,
      gen.readMetadataRequest,
    );
    golden(
      base,
      9,
      hex(
        "02", // compact array of 1
        "04 666f6f 00", // compact string "foo", topic tag count
        "01", // allow_auto_topic_creation
        "00", // include_cluster_authorized_operations (v8-10)
        "00", // include_topic_authorized_operations
        "00", // tag count
      ),
      gen.sizeMetadataRequest,
      gen.writeMetadataRequest,
      gen.readMetadataRequest,
    );
  });

  it("response v0 (non-flexible)", () => {
    const value: gen.MetadataResponse = {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: "h", port: 9092, rack: null }],
      clusterId: null,
      controllerId: -1,
      topics: [
        {
          errorCode: 0,
          name: "t",
          topicId: ZERO_UUID,
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 1,
              leaderEpoch: -1,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [],
            },
          ],
          topicAuthorizedOperations: -2147483648,
        },
      ],
      clusterAuthorizedOperations: -2147483648,
    };
    golden(
      value,
      0,
      hex(
        "00000001", // brokers
        "00000001 0001 68 00002384", // node 1, host "h", port 9092
        "00000001", // topics
        "0000 0001 74", // error, name "t"
        "00000001", // partitions
        "0000 00000000 00000001", // error, index 0, leader 1
        "00000001 00000001", // replicas [1]
        "00000001 00000001", // isr [1]
      ),
      gen.sizeMetadataResponse,
      gen.writeMetadataResponse,
      gen.readMetadataResponse,
    );
  });

  it("response v9 (flexible)", () => {
    const value: gen.MetadataResponse = {
      throttleTimeMs: 0,
      brokers: [{ nodeId: 1, host: "h", port: 9092, rack: null }],
      clusterId: "c",
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: "t",
          topicId: ZERO_UUID,
          isInternal: false,
          partitions: [
            {
              errorCode: 0,
              partitionIndex: 0,
              leaderId: 1,
              leaderEpoch: 5,
              replicaNodes: [1],
              isrNodes: [1],
              offlineReplicas: [],
            },
          ],
          topicAuthorizedOperations: -2147483648,
        },
      ],
      clusterAuthorizedOperations: -2147483648,
    };
    golden(
      value,
      9,
      hex(
        "00000000", // throttle_time_ms
        "02", // brokers: 1
        "00000001 02 68 00002384 00 00", // node, host "h", port, rack null, tags
        "02 63", // cluster_id "c"
        "00000001", // controller_id
        "02", // topics: 1
        "0000 02 74 00", // error, name "t", is_internal false
        "02", // partitions: 1
        "0000 00000000 00000001 00000005", // error, index, leader, leader_epoch
        "02 00000001", // replicas
        "02 00000001", // isr
        "01", // offline replicas: empty
        "00", // partition tags
        "80000000", // topic_authorized_operations
        "00", // topic tags
        "80000000", // cluster_authorized_operations (v8-10)
        "00", // tags
      ),
      gen.sizeMetadataResponse,
      gen.writeMetadataResponse,
      gen.readMetadataResponse,
    );
  });
});

describe("Produce golden bytes", () => {
  const request: gen.ProduceRequest = {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topicData: [{ name: "t", partitionData: [{ index: 0, records: Buffer.from("aabbcc", "hex") }] }],
  };

  it("request v3 (non-flexible)", () => {
    golden(
      request,
      3,
      hex(
        "ffff", // transactional_id null
        "ffff", // acks -1
        "00007530", // timeout 30000
        "00000001 0001 74", // topics: 1, name "t"
        "00000001 00000000", // partitions: 1, index 0
        "00000003 aabbcc", // records (int32 length)
      ),
      gen.sizeProduceRequest,
      gen.writeProduceRequest,
      gen.readProduceRequest,
    );
  });

  it("request v9 (flexible)", () => {
    golden(
      request,
      9,
      hex(
        "00", // transactional_id null (compact)
        "ffff 00007530",
        "02 02 74", // topics: 1, name "t"
        "02 00000000", // partitions: 1, index 0
        "04 aabbcc", // compact records
        "00", // partition tags
        "00", // topic tags
        "00", // tags
      ),
      gen.sizeProduceRequest,
      gen.writeProduceRequest,
      gen.readProduceRequest,
    );
  });

  it("response v9 (flexible)", () => {
    const value: gen.ProduceResponse = {
      responses: [
        {
          name: "t",
          partitionResponses: [
            {
              index: 0,
              errorCode: 0,
              baseOffset: 5n,
              logAppendTimeMs: -1n,
              logStartOffset: 0n,
              recordErrors: [],
              errorMessage: null,
            },
          ],
        },
      ],
      throttleTimeMs: 0,
    };
    golden(
      value,
      9,
      hex(
        "02 02 74", // responses: 1, name "t"
        "02 00000000 0000", // partitions: 1, index, error
        "0000000000000005", // base_offset
        "ffffffffffffffff", // log_append_time_ms
        "0000000000000000", // log_start_offset
        "01", // record_errors: empty
        "00", // error_message null
        "00 00", // partition tags, topic tags
        "00000000", // throttle_time_ms
        "00", // tags
      ),
      gen.sizeProduceResponse,
      gen.writeProduceResponse,
      gen.readProduceResponse,
    );
  });
});

describe("Fetch golden bytes", () => {
  const partition = (records: Buffer): gen.FetchResponsePartitionData => ({
    partitionIndex: 0,
    errorCode: 0,
    highWatermark: 10n,
    lastStableOffset: 10n,
    logStartOffset: 0n,
    abortedTransactions: null,
    preferredReadReplica: -1,
    records,
  });

  it("response v4 (non-flexible)", () => {
    const value: gen.FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        { topic: "t", partitions: [{ ...partition(Buffer.from("dead", "hex")), logStartOffset: -1n }] },
      ],
    };
    golden(
      value,
      4,
      hex(
        "00000000", // throttle_time_ms
        "00000001 0001 74", // responses: 1, topic "t"
        "00000001 00000000 0000", // partitions: 1, index, error
        "000000000000000a", // high_watermark
        "000000000000000a", // last_stable_offset
        "ffffffff", // aborted_transactions null
        "00000002 dead", // records
      ),
      gen.sizeFetchResponse,
      gen.writeFetchResponse,
      gen.readFetchResponse,
    );
  });

  it("response v12 (flexible)", () => {
    const value: gen.FetchResponse = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: "t",
          partitions: [
            {
              ...partition(Buffer.from("dead", "hex")),
              divergingEpoch: undefined,
              currentLeader: undefined,
              snapshotId: undefined,
            },
          ],
        },
      ],
    };
    golden(
      value,
      12,
      hex(
        "00000000 0000 00000000", // throttle, error, session_id
        "02 02 74", // responses: 1, topic "t"
        "02 00000000 0000", // partitions: 1, index, error
        "000000000000000a 000000000000000a 0000000000000000", // hw, lso, log_start
        "00", // aborted_transactions null
        "ffffffff", // preferred_read_replica -1
        "03 dead", // compact records
        "00 00 00", // partition, topic, top-level tags
      ),
      gen.sizeFetchResponse,
      gen.writeFetchResponse,
      gen.readFetchResponse,
    );
  });

  it("request v4 (non-flexible)", () => {
    const value = gen.readFetchRequest(
      new Reader(
        hex(
          "ffffffff", // replica_id -1
          "000001f4 00000001", // max_wait 500, min_bytes 1
          "00100000", // max_bytes 1 MiB
          "00", // isolation_level
          "00000001 0001 74", // topics: 1, "t"
          "00000001 00000000 0000000000000007 00010000", // partition 0, offset 7, max 64 KiB
        ),
      ),
      4,
    );
    expect(value).toMatchObject({
      replicaId: -1,
      maxWaitMs: 500,
      minBytes: 1,
      maxBytes: 1048576,
      isolationLevel: 0,
    });
    expect(value.topics[0]).toMatchObject({ topic: "t" });
    expect(value.topics[0].partitions[0]).toMatchObject({
      partition: 0,
      fetchOffset: 7n,
      partitionMaxBytes: 65536,
    });
  });
});

describe("header golden bytes", () => {
  it("request header v2 keeps a non-compact client id, then a tag count", () => {
    golden(
      { requestApiKey: 18, requestApiVersion: 3, correlationId: 1, clientId: "c" },
      2,
      hex("0012 0003 00000001", "0001 63", "00"),
      gen.sizeRequestHeader,
      gen.writeRequestHeader,
      gen.readRequestHeader,
    );
  });

  it("response header v1 is the correlation id and a tag count", () => {
    golden(
      { correlationId: 1 },
      1,
      hex("00000001 00"),
      gen.sizeResponseHeader,
      gen.writeResponseHeader,
      gen.readResponseHeader,
    );
  });
});
