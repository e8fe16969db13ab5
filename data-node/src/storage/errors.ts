// Typed failures callers branch on. Messages name the file and byte position where one exists.

// A frame that is not the torn tail of the log failed its checks: the partition must not be served.
export class CorruptLogError extends Error {
  override readonly name = "CorruptLogError";
  constructor(
    readonly file: string,
    readonly position: number,
    readonly reason: string,
  ) {
    super(`corrupt log: ${file} at byte ${position}: ${reason}`);
  }
}

// A Kafka offset outside [logStartOffset, logEndOffset].
export class OffsetOutOfRangeError extends Error {
  override readonly name = "OffsetOutOfRangeError";
  constructor(
    readonly offset: number,
    readonly logStartOffset: number,
    readonly logEndOffset: number,
  ) {
    super(`offset ${offset} is outside [${logStartOffset}, ${logEndOffset}]`);
  }
}

// The caller handed append() something the log refuses to store (bad batch, offset gap, term regress).
export class InvalidEntryError extends Error {
  override readonly name = "InvalidEntryError";
}

// An fsync failed: the log stops accepting work (retrying fsync after a failure can lose data silently).
export class LogFailedError extends Error {
  override readonly name = "LogFailedError";
  constructor(
    readonly dir: string,
    override readonly cause: unknown,
  ) {
    super(`log ${dir} failed: ${String((cause as Error)?.message ?? cause)}`);
  }
}
