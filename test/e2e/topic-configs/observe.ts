// What the topic config tests observe on each node: its own DescribeConfigs answer (real clients send
// topic resources to the controller only, so this one goes over a socket with the generated codecs)
// and the segment files of its replica on disk.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { encodeRequestFrame, readResponseFrame } from "../../../data-node/src/kafka/protocol/codec.ts";
import * as gen from "../../../data-node/src/kafka/protocol/generated/index.ts";
import type { TestNode } from "../../support/cluster.ts";
import { RawClient } from "../../support/raw-kafka-client.ts";

export interface Described {
  value: string | null;
  source: number;
}

export async function describeTopicOn(
  node: TestNode,
  topic: string,
  keys: string[],
): Promise<Map<string, Described>> {
  const client = await RawClient.open(node.kafkaPort);
  try {
    client.send(
      encodeRequestFrame(
        { requestApiKey: 32, requestApiVersion: 4, correlationId: 1, clientId: "e2e-describe" },
        {
          resources: [{ resourceType: 2, resourceName: topic, configurationKeys: keys }],
          includeSynonyms: false,
          includeDocumentation: false,
        },
        gen.sizeDescribeConfigsRequest,
        gen.writeDescribeConfigsRequest,
      ),
    );
    const [frame] = await client.waitFrames(1);
    const [result] = readResponseFrame(frame, 32, 4).body.results;
    if (result.errorCode !== 0) throw new Error(`node ${node.id}: DescribeConfigs error ${result.errorCode}`);
    return new Map(result.configs.map((c) => [c.name, { value: c.value, source: c.configSource }]));
  } finally {
    client.close();
  }
}

// Segment files of the node's replica of topic-partition (none when it hosts no replica yet).
export function segmentFiles(node: TestNode, topic: string, partition: number): string[] {
  const root = join(node.dataDir, "partitions");
  let dirs: string[];
  try {
    dirs = readdirSync(root).filter((d) => d.startsWith(`${topic}-${partition}-`));
  } catch {
    return [];
  }
  return dirs.flatMap((d) => readdirSync(join(root, d)).filter((f) => f.endsWith(".log")));
}
