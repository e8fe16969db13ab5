import { createServer } from "node:net";

function free(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

// A base port such that base+i (Kafka), base+100+i (Raft) and base+200+i (admin HTTP) are free for
// i < count: chronik's port layout needs fixed offsets, so port 0 cannot be used. Never the reserved
// 8080-8083 / 9092-9194 ranges.
export async function findPortBase(count: number, attempts = 30): Promise<number> {
  for (let a = 0; a < attempts; a++) {
    const base = 20_000 + Math.floor(Math.random() * 400) * 50;
    const ports = Array.from({ length: count }, (_, i) => [base + i, base + 100 + i, base + 200 + i]).flat();
    const ok = await Promise.all(ports.map(free));
    if (ok.every(Boolean)) return base;
  }
  throw new Error(`no free port range for ${count} nodes after ${attempts} attempts`);
}
