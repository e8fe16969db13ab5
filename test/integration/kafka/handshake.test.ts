import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiVersionsHandler } from "../../../data-node/src/kafka/handlers/api-versions.ts";
import { createMetadataHandler, type MetadataView } from "../../../data-node/src/kafka/handlers/metadata.ts";
import * as gen from "../../../data-node/src/kafka/protocol/generated/index.ts";
import { Reader } from "../../../data-node/src/kafka/protocol/reader.ts";
import { KafkaServer } from "../../../data-node/src/kafka/server.ts";
import { silentLogger } from "../../../shared/log.ts";
import { apiVersionsRequest, metadataRequest, RawClient } from "../../support/raw-kafka-client.ts";

const run = promisify(execFile);

let server: KafkaServer;
let port = 0;

// The node itself is the only broker; its port is known once the listener is bound.
const view: MetadataView = {
  current: () => true,
  clusterId: () => "chronik-test",
  controllerId: () => 1,
  brokers: () => [{ nodeId: 1, host: "127.0.0.1", port, rack: null }],
  topics: () => [],
  topic: () => undefined,
};

beforeAll(async () => {
  server = new KafkaServer({
    host: "127.0.0.1",
    port: 0,
    logger: silentLogger,
    handlers: {
      18: createApiVersionsHandler(() => server.versions),
      3: createMetadataHandler(view),
    },
  });
  port = (await server.start()).port;
});

afterAll(async () => {
  await server.stop();
});

describe("Kafka handshake with real clients", () => {
  it("kcat -L lists the broker", async () => {
    const { stdout } = await run("/usr/bin/kcat", ["-b", `127.0.0.1:${port}`, "-L", "-m", "10"], {
      timeout: 30_000,
    });
    expect(stdout).toContain("1 brokers:");
    expect(stdout).toContain(`broker 1 at 127.0.0.1:${port}`);
    expect(stdout).toContain("0 topics:");
  });

  it("kcat -L -t unknown reports Unknown topic or partition", async () => {
    const { stdout } = await run(
      "/usr/bin/kcat",
      ["-b", `127.0.0.1:${port}`, "-L", "-t", "nope", "-m", "10"],
      {
        timeout: 30_000,
      },
    );
    expect(stdout).toContain('topic "nope"');
    expect(stdout).toContain("Unknown topic or partition");
  });

  it("kafkajs admin connects and lists topics", async () => {
    const kafka = new Kafka({ clientId: "t", brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.listTopics()).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });

  it("kafka-python's admin client probes and describes the cluster", async () => {
    const script = [
      "import json",
      "from kafka import KafkaAdminClient",
      `a = KafkaAdminClient(bootstrap_servers='127.0.0.1:${port}', request_timeout_ms=10000)`,
      "print(json.dumps({'topics': a.list_topics(), 'cluster': a.describe_cluster()}))",
      "a.close()",
    ].join("\n");
    const { stdout } = await run("/usr/bin/python3", ["-c", script], { timeout: 30_000 });
    const out = JSON.parse(stdout.trim().split("\n").pop()!);
    expect(out.topics).toEqual([]);
    expect(out.cluster.brokers).toEqual([{ node_id: 1, host: "127.0.0.1", port, rack: null }]);
    expect(out.cluster.cluster_id).toBe("chronik-test");
  });

  it("confluent-kafka-python (librdkafka 2.0) lists the broker", async () => {
    const script = [
      "import json",
      "from confluent_kafka.admin import AdminClient",
      `md = AdminClient({'bootstrap.servers': '127.0.0.1:${port}'}).list_topics(timeout=10)`,
      "print(json.dumps({'brokers': [[b.id, b.host, b.port] for b in md.brokers.values()], 'topics': list(md.topics), 'cluster': md.cluster_id}))",
    ].join("\n");
    const { stdout } = await run("/usr/bin/python3", ["-c", script], { timeout: 30_000 });
    const out = JSON.parse(stdout.trim().split("\n").pop()!);
    expect(out).toEqual({ brokers: [[1, "127.0.0.1", port]], topics: [], cluster: "chronik-test" });
  });

  it("answers ApiVersions v0 and Metadata v0 pipelined back-to-back, in order", async () => {
    const c = await RawClient.open(port);
    c.send(apiVersionsRequest(101, 0), metadataRequest(102, 0, []));
    const [a, m] = await c.waitFrames(2);
    expect(a.readInt32BE(0)).toBe(101);
    expect(m.readInt32BE(0)).toBe(102);
    const av = gen.readApiVersionsResponse(new Reader(a, 4), 0);
    expect(av.errorCode).toBe(0);
    expect(av.apiKeys).toEqual([
      { apiKey: 3, minVersion: 0, maxVersion: 12 },
      { apiKey: 18, minVersion: 0, maxVersion: 3 },
    ]);
    const md = gen.readMetadataResponse(new Reader(m, 4), 0);
    expect(md.brokers).toEqual([{ nodeId: 1, host: "127.0.0.1", port, rack: null }]);
    c.close();
  });

  it("ApiVersions v3 gets a v0 response header and a flexible body", async () => {
    const c = await RawClient.open(port);
    c.send(apiVersionsRequest(5, 3));
    const [f] = await c.waitFrames(1);
    expect(f.readInt32BE(0)).toBe(5);
    const r = new Reader(f, 4); // header v0: no tag section
    const body = gen.readApiVersionsResponse(r, 3);
    expect(body.errorCode).toBe(0);
    expect(r.pos).toBe(f.length);
    c.close();
  });

  it("an unsupported ApiVersions version gets a v0 body with error 35 and the ranges", async () => {
    const c = await RawClient.open(port);
    const frame = apiVersionsRequest(77, 3);
    frame.writeInt16BE(99, 6); // request_api_version
    c.send(frame);
    const [f] = await c.waitFrames(1);
    expect(f.readInt32BE(0)).toBe(77);
    const body = gen.readApiVersionsResponse(new Reader(f, 4), 0);
    expect(body.errorCode).toBe(35);
    expect(body.apiKeys.map((k) => k.apiKey)).toEqual([3, 18]);
    expect(c.closed).toBe(false);
    c.send(apiVersionsRequest(78, 0));
    await c.waitFrames(2);
    c.close();
  });

  it("a malformed frame closes only its own connection", async () => {
    const bad = await RawClient.open(port);
    const good = await RawClient.open(port);
    bad.send(Buffer.from([0, 0, 0, 3, 0, 18, 0])); // 3-byte frame: no room for a header
    await bad.waitClosed();
    good.send(metadataRequest(9, 1, null));
    const [f] = await good.waitFrames(1);
    expect(f.readInt32BE(0)).toBe(9);
    expect(good.closed).toBe(false);
    good.close();
  });
});
