// How much work each step does. --quick keeps the whole run under three minutes on two cores;
// the full profile under twenty.

export interface Profile {
  name: "quick" | "full";
  recordSize: number;
  // Baseline (a): bytes pushed over loopback TCP into a file, in batches of batchBytes.
  tcpBytes: number;
  batchBytes: number;
  // Baseline (b): how long to count fdatasyncs of small appends.
  syncMillis: number;
  natsMessages: number;
  // Kafka producer load, in records.
  produceRecords: number;
  jsProduceRecords: number;
  // Seconds per fixed-rate latency run.
  fixedRateSeconds: number;
  idlePartitions: number;
  idleSampleSeconds: number;
  readyTimeoutMs: number;
  partitions: number;
  lingerMs: number;
  producerBatchBytes: number;
  // Upper bound for one produce or consume run; a run cut short reports what it achieved.
  stepTimeoutS: number;
  // Creating the idle partitions and waiting for their leaders.
  idleCreateTimeoutMs: number;
  // The whole run: steps that would start after this are reported as not run.
  budgetSeconds: number;
  // Restarts timed per restart row (the row reports their median and each one).
  restartRepeats: number;
  // Records (of recordSize) written before the 3-node cluster is restarted as a whole.
  restartDataRecords: number;
}

const common = {
  recordSize: 1024,
  batchBytes: 64 * 1024,
  idlePartitions: 1000,
  partitions: 3,
  lingerMs: 5,
  producerBatchBytes: 1024 * 1024,
};

export const quick: Profile = {
  ...common,
  name: "quick",
  tcpBytes: 256 * 1024 * 1024,
  syncMillis: 2000,
  natsMessages: 50_000,
  produceRecords: 200_000,
  jsProduceRecords: 50_000,
  fixedRateSeconds: 5,
  idleSampleSeconds: 10,
  readyTimeoutMs: 20_000,
  stepTimeoutS: 25,
  idleCreateTimeoutMs: 60_000,
  budgetSeconds: 240,
  restartRepeats: 3,
  restartDataRecords: 20_000,
};

export const full: Profile = {
  ...common,
  name: "full",
  tcpBytes: 1024 * 1024 * 1024,
  syncMillis: 5000,
  natsMessages: 300_000,
  produceRecords: 1_000_000,
  jsProduceRecords: 200_000,
  fixedRateSeconds: 20,
  idleSampleSeconds: 20,
  readyTimeoutMs: 30_000,
  stepTimeoutS: 150,
  idleCreateTimeoutMs: 180_000,
  budgetSeconds: 16 * 60,
  restartRepeats: 5,
  restartDataRecords: 100_000,
};
