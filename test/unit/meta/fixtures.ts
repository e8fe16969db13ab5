import { MetaImage } from "../../../data-node/src/meta/image.ts";
import type { MetaRecord, RegisterBroker } from "../../../data-node/src/meta/records.ts";

export function reg(nodeId: number, over: Partial<RegisterBroker> = {}): RegisterBroker {
  return {
    type: "register_broker",
    nodeId,
    incarnationId: `inc-${nodeId}-a`,
    listeners: [{ name: "PLAINTEXT", host: "127.0.0.1", port: 9091 + nodeId }],
    raftAddress: `127.0.0.1:${9191 + nodeId}`,
    rack: null,
    version: "0.1.0",
    timestamp: 1_000,
    ...over,
  };
}

// An image built by applying records one per Raft index, starting at `from`.
export class ImageBuilder {
  readonly image = new MetaImage();
  private index = 0;

  apply(...records: MetaRecord[]) {
    return records.map((r) => this.image.apply(r, ++this.index, 1));
  }

  get nextIndex(): number {
    return this.index + 1;
  }
}

// Registers and unfences brokers 1..n (optionally with racks).
export function clusterOf(n: number, racks?: (string | null)[]): ImageBuilder {
  const b = new ImageBuilder();
  for (let id = 1; id <= n; id++) {
    const [res] = b.apply(reg(id, { rack: racks?.[id - 1] ?? null }));
    if (!res.ok) throw new Error("registration failed");
    b.apply({ type: "unfence_broker", nodeId: id, brokerEpoch: res.brokerEpoch!, timestamp: 1_000 });
  }
  return b;
}
