import { RaftTransport } from "../../data-node/src/transport/raft-transport.ts";
import { silentLogger } from "../../shared/log.ts";

const PAYLOAD_BYTES = 1024;
const TOTAL = 300_000;
const PER_FLUSH = 500; // one runtime ready loop's worth of messages for one peer
const WINDOW = 20_000; // messages in flight before the sender waits, as Raft's flow control would

const payload = new Uint8Array(PAYLOAD_BYTES).fill(7);
const groups = Array.from({ length: 300 }, (_, i) => `orders-${i}`);

async function transportThroughput(): Promise<void> {
  let received = 0;
  const a = new RaftTransport({
    nodeId: 1,
    clusterId: "bench",
    listen: { host: "127.0.0.1", port: 0 },
    peers: [],
    logger: silentLogger,
    onMessages: () => {},
  });
  const b = new RaftTransport({
    nodeId: 2,
    clusterId: "bench",
    listen: { host: "127.0.0.1", port: 0 },
    peers: [],
    logger: silentLogger,
    onMessages: (_from, batch) => {
      received += batch.length;
    },
  });
  const pa = await a.start();
  const pb = await b.start();
  a.setPeers([{ id: 2, host: "127.0.0.1", port: pb.port, source: "bench" }]);
  b.setPeers([{ id: 1, host: "127.0.0.1", port: pa.port, source: "bench" }]);
  while (a.peerStatus().get(2) !== "connected") await new Promise((r) => setTimeout(r, 5));

  const start = process.hrtime.bigint();
  let sent = 0;
  while (sent < TOTAL) {
    for (let i = 0; i < PER_FLUSH; i++) a.send(2, groups[(sent + i) % groups.length], payload);
    sent += PER_FLUSH;
    a.flush();
    while (sent - received > WINDOW) await new Promise((r) => setImmediate(r));
  }
  while (received < TOTAL) await new Promise((r) => setImmediate(r));
  const secs = Number(process.hrtime.bigint() - start) / 1e9;
  const m = a.metrics().peers.get(2)!;
  console.log(
    `transport: ${TOTAL} × ${PAYLOAD_BYTES} B in ${secs.toFixed(2)} s = ${Math.round(TOTAL / secs)} payloads/s, ` +
      `${((TOTAL * PAYLOAD_BYTES) / secs / 1e6).toFixed(1)} MB/s payload; ${m.batchesSent} stream messages, ` +
      `${m.dropped} dropped`,
  );
  await a.stop();
  await b.stop();
}
await transportThroughput();
