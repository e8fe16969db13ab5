import { parseArgs } from "node:util";
import type { JsClientName } from "./clients/js-producer.ts";

export const PARTS = ["baselines", "nats", "single", "three", "restarts", "compaction"] as const;
export type Part = (typeof PARTS)[number];

export interface BenchArgs {
  quick: boolean;
  outDir: string;
  jsClient: JsClientName;
  parts: Part[];
}

export const usage = `usage: npm run bench -- [--quick] [--only ${PARTS.join(",")}] [--js-client platformatic|kafkajs] [--out DIR]

Runs the baselines (loopback TCP → file with/without fdatasync, raw fdatasync rate, raw read,
NATS JetStream on 127.0.0.1:4222) and the chronik scenarios (1 node acks=1; 3 nodes RF3 acks=all
with fsync: peak, fixed-rate latency at 20%/60%, consume, idle CPU with 1,000 partitions, startup,
failover; restarts: one node after SIGKILL/SIGTERM with 1 and 1,000 partitions, the whole cluster,
a rolling restart under load; compaction: keyed produce latency with and without cleaning, and
the cleaner's throughput), then writes <out>/<timestamp>.json, .md and .svg (and .png when
rsvg-convert exists).
--quick: under 3 minutes. Default out: bench/results.`;

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      out: { type: "string" },
      "js-client": { type: "string", default: "platformatic" },
      only: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
}

export function parseBenchArgs(argv: string[], defaultOut: string): BenchArgs | string {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (err) {
    return `${err instanceof Error ? err.message : String(err)}\n\n${usage}`;
  }
  if (values.help) return usage;
  const jsClient = values["js-client"];
  if (jsClient !== "platformatic" && jsClient !== "kafkajs")
    return `--js-client must be platformatic or kafkajs\n\n${usage}`;
  const parts = values.only ? values.only.split(",").map((s) => s.trim()) : [...PARTS];
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (unknown.length > 0) return `--only: unknown part(s) ${unknown.join(", ")}\n\n${usage}`;
  return { quick: values.quick ?? false, outDir: values.out ?? defaultOut, jsClient, parts: parts as Part[] };
}
