import fs from "node:fs";

// The durability syscalls, injected so tests can count or fail them. Asynchronous: they run on libuv's
// thread pool, so fsyncs of many logs proceed in parallel.
export interface SyncOps {
  fdatasync(fd: number): Promise<void>;
  fsyncDir(dir: string): Promise<void>;
  // Blocking forms, for rare steps inside synchronous calls (segment roll, deep truncation).
  fdatasyncSync(fd: number): void;
  fsyncDirSync(dir: string): void;
}

export const nodeSyncOps: SyncOps = {
  fdatasync: (fd) =>
    new Promise((resolve, reject) => fs.fdatasync(fd, (err) => (err ? reject(err) : resolve()))),
  fsyncDir: (dir) =>
    new Promise((resolve, reject) =>
      fs.open(dir, "r", (openErr, fd) => {
        if (openErr) return reject(openErr);
        fs.fsync(fd, (syncErr) => fs.close(fd, () => (syncErr ? reject(syncErr) : resolve())));
      }),
    ),
  fdatasyncSync: (fd) => fs.fdatasyncSync(fd),
  fsyncDirSync: (dir) => {
    const fd = fs.openSync(dir, "r");
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
};

// Counts calls; wraps another SyncOps (tests and metrics).
export class CountingSyncOps implements SyncOps {
  fdatasyncCalls = 0;
  fsyncDirCalls = 0;
  constructor(private readonly inner: SyncOps = nodeSyncOps) {}
  fdatasync(fd: number): Promise<void> {
    this.fdatasyncCalls++;
    return this.inner.fdatasync(fd);
  }
  fsyncDir(dir: string): Promise<void> {
    this.fsyncDirCalls++;
    return this.inner.fsyncDir(dir);
  }
  fdatasyncSync(fd: number): void {
    this.fdatasyncCalls++;
    this.inner.fdatasyncSync(fd);
  }
  fsyncDirSync(dir: string): void {
    this.fsyncDirCalls++;
    this.inner.fsyncDirSync(dir);
  }
}
