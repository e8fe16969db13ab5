// Commit throughput and latency of one Raft group with fsync on (3 replicas in one process, real
// DurableLogs, group commit), next to the raw fdatasync rate of the same disk measured in the same run.
// Run: node --import tsx bench/micro/raft-commit.ts   (prints figures; asserts nothing)
import { closeSync, fdatasyncSync, mkdtempSync, openSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EntryType } from "../../data-node/src/raft/types.ts";
import type { RaftGroup, StateMachine } from "../../data-node/src/raft-runtime/group.ts";
import { LocalCluster } from "../../test/integration/raft-runtime/harness.ts";
import { waitFor } from "../../test/support/poll.ts";

const ENTRY_BYTES = 1024;
const SERIAL = 2000;
const PIPELINED = 20_000;
const WINDOW = 256;

function rawFdatasyncRate(seconds = 2): { perSec: number; p99Ms: number } {
  const dir = mkdtempSync(join(tmpdir(), "chronik-fsync-"));
  const fd = openSync(join(dir, "f"), "w");
  const buf = Buffer.alloc(128, 1);
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t = performance.now();
    writeSync(fd, buf);
    fdatasyncSync(fd);
    lat.push(performance.now() - t);
  }
  closeSync(fd);
  lat.sort((a, b) => a - b);
  return { perSec: lat.length / seconds, p99Ms: lat[Math.floor(lat.length * 0.99)] };
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))];

async function main(): Promise<void> {
  const raw = rawFdatasyncRate();
  const cluster = new LocalCluster([1, 2, 3]);
  const sm: StateMachine = { apply: () => {} };
  const groups: RaftGroup[] = [];
  for (const id of [1, 2, 3]) groups.push((await cluster.addGroup(id, "bench", sm, false, id === 1)).group);
  const leader = await waitFor("a leader", () => groups.find((g) => g.status().role === "leader"));
  const data = new Uint8Array(ENTRY_BYTES).fill(EntryType.Normal + 7);

  // One proposal at a time: the commit latency of an idle group.
  const serial: number[] = [];
  for (let i = 0; i < SERIAL; i++) {
    const t = performance.now();
    const p = leader.propose(data);
    if (!p.ok) throw new Error("not leader");
    await p.committed;
    serial.push(performance.now() - t);
  }
  serial.sort((a, b) => a - b);

  // Many in flight: throughput with group commit batching entries into each fsync.
  const lat: number[] = [];
  const t0 = performance.now();
  let inFlight = 0;
  let done = 0;
  await new Promise<void>((resolve) => {
    const pump = () => {
      while (inFlight < WINDOW && done + inFlight < PIPELINED) {
        const t = performance.now();
        const p = leader.propose(data);
        if (!p.ok) throw new Error("not leader");
        inFlight++;
        p.committed.then(() => {
          lat.push(performance.now() - t);
          inFlight--;
          done++;
          if (done === PIPELINED) resolve();
          else pump();
        });
      }
    };
    pump();
  });
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  await cluster.stopAll();

  console.log(
    `raw fdatasync (same disk, same run): ${Math.round(raw.perSec)}/s, p99 ${raw.p99Ms.toFixed(2)} ms`,
  );
  console.log(
    `one group, 3 replicas, fsync on, 1 in flight: ${Math.round(SERIAL / (serial.reduce((a, b) => a + b, 0) / 1000))} commits/s, ` +
      `p50 ${pct(serial, 0.5).toFixed(2)} ms, p99 ${pct(serial, 0.99).toFixed(2)} ms`,
  );
  console.log(
    `one group, 3 replicas, fsync on, ${WINDOW} in flight: ${Math.round(PIPELINED / secs)} commits/s ` +
      `(${(PIPELINED / secs / raw.perSec).toFixed(2)}x the raw fdatasync rate), p50 ${pct(lat, 0.5).toFixed(2)} ms, p99 ${pct(lat, 0.99).toFixed(2)} ms`,
  );
}

await main();
