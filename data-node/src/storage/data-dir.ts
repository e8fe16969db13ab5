import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { replaceFile } from "./replace-file.ts";
import { nodeSyncOps } from "./sync-ops.ts";

// A data dir belongs to one node of one cluster (identity.json) and is used by one process at a time.
// The lock that enforces the latter is held by the kernel, so it is race-free and dies with its
// process: a crash never leaves a lock to clean up, and a new incarnation may take over at once.

export const IDENTITY_FILE = "identity.json";
// Names the holder in the error a second process gets. It may be stale; exclusivity never reads it.
export const LOCK_FILE = "LOCK";

const identitySchema = z.object({
  cluster_id: z.string().min(1),
  node_id: z.number().int(),
  incarnation_id: z.string().min(1),
  updated_at: z.string(),
});

const lockInfoSchema = z.object({
  pid: z.number().int(),
  hostname: z.string(),
  started_at: z.string(),
  node_id: z.number().int(),
});

export type LockHolder = z.infer<typeof lockInfoSchema>;

export interface DataDirClaim {
  // The incarnation id this node last registered with on this dir (undefined on a new dir).
  readonly previousIncarnationId: string | undefined;
  // Persists (atomically and durably) the incarnation now registered.
  recordIncarnation(incarnationId: string): Promise<void>;
  // Releases the lock (idempotent). Called on a normal stop.
  release(): Promise<void>;
}

// The failures a node cannot start past; their messages say what to do.
export abstract class DataDirError extends Error {}

export class DataDirLockedError extends DataDirError {
  override readonly name = "DataDirLockedError";
  constructor(
    readonly dir: string,
    readonly lockFile: string,
    readonly holder: LockHolder | undefined,
  ) {
    super(
      `data dir ${dir} is locked by another process: ${
        holder
          ? `pid ${holder.pid} on host ${holder.hostname} (node ${holder.node_id}), since ${holder.started_at}, per ${lockFile}`
          : `${lockFile} does not name it yet`
      }. fix: stop that process, or point data_dir at another directory`,
    );
  }
}

export class DataDirMismatchError extends DataDirError {
  override readonly name = "DataDirMismatchError";
  constructor(
    readonly file: string,
    readonly recorded: { clusterId: string; nodeId: number },
    readonly configured: { clusterId: string; nodeId: number },
  ) {
    super(
      `${file} records cluster_id "${recorded.clusterId}" node_id ${recorded.nodeId}, but this node is ` +
        `configured as cluster_id "${configured.clusterId}" node_id ${configured.nodeId}: the data dir ` +
        `belongs to another node. fix: point data_dir at this node's own directory, or remove ` +
        `${path.dirname(file)} to start this node with no data`,
    );
  }
}

export class DataDirIdentityError extends DataDirError {
  override readonly name = "DataDirIdentityError";
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(
      `${file} is not a valid identity file: ${reason}. fix: if the dir is this node's own, remove the ` +
        `file (it is written again at start); otherwise point data_dir at this node's own directory`,
    );
  }
}

export async function claimDataDir(
  dir: string,
  who: { clusterId: string; nodeId: number },
): Promise<DataDirClaim> {
  await fs.promises.mkdir(dir, { recursive: true });
  const lockFile = path.join(dir, LOCK_FILE);
  const lock = await lockDir(await fs.promises.realpath(dir));
  if (!lock) throw new DataDirLockedError(dir, lockFile, await readHolder(lockFile));
  try {
    const holder: LockHolder = {
      pid: process.pid,
      hostname: os.hostname(),
      started_at: new Date().toISOString(),
      node_id: who.nodeId,
    };
    // Informational only, so atomic (a reader never sees half of it) but not fsynced.
    await replaceFile(dir, LOCK_FILE, JSON.stringify(holder), null);
    const identityFile = path.join(dir, IDENTITY_FILE);
    const identity = await readIdentity(identityFile);
    if (identity && (identity.cluster_id !== who.clusterId || identity.node_id !== who.nodeId)) {
      throw new DataDirMismatchError(
        identityFile,
        { clusterId: identity.cluster_id, nodeId: identity.node_id },
        who,
      );
    }
    return new Claim(dir, who, identity?.incarnation_id, lock);
  } catch (err) {
    await unlock(dir, lock);
    throw err;
  }
}

class Claim implements DataDirClaim {
  private released: Promise<void> | undefined;

  constructor(
    private readonly dir: string,
    private readonly who: { clusterId: string; nodeId: number },
    readonly previousIncarnationId: string | undefined,
    private readonly lock: KernelLock,
  ) {}

  async recordIncarnation(incarnationId: string): Promise<void> {
    if (this.released) throw new Error(`data dir ${this.dir} was released; cannot record ${incarnationId}`);
    const identity: z.infer<typeof identitySchema> = {
      cluster_id: this.who.clusterId,
      node_id: this.who.nodeId,
      incarnation_id: incarnationId,
      updated_at: new Date().toISOString(),
    };
    await replaceFile(this.dir, IDENTITY_FILE, `${JSON.stringify(identity, null, 2)}\n`, nodeSyncOps);
  }

  release(): Promise<void> {
    this.released ??= unlock(this.dir, this.lock);
    return this.released;
  }
}

interface KernelLock {
  release(): Promise<void>;
}

// The LOCK file goes first: while the kernel lock is held nobody else writes it.
async function unlock(dir: string, lock: KernelLock): Promise<void> {
  await fs.promises.rm(path.join(dir, LOCK_FILE), { force: true });
  await lock.release();
}

// The kernel lock on a directory, or undefined when another holder has it.
function lockDir(realDir: string): Promise<KernelLock | undefined> {
  if (process.platform === "linux") return lockBySocket(realDir);
  if (process.platform === "darwin") return Promise.resolve(lockByOpenFlag(realDir));
  throw new Error(`locking a data dir is not supported on ${process.platform}`);
}

// Linux: a Unix server socket in the abstract namespace, named after the dir's real path. Binding
// is atomic, a second bind fails with EADDRINUSE, and the name has no file to go stale: the kernel
// frees it when the process dies. (Node has no flock.) The namespace belongs to the network
// namespace, so containers with their own network namespace sharing one volume do not exclude
// each other.
function lockBySocket(realDir: string): Promise<KernelLock | undefined> {
  const name = `\0chronik-data-dir-${createHash("sha256").update(realDir).digest("hex")}`;
  // Nothing is served: a stray connection is dropped.
  const server = net.createServer((socket) => socket.destroy());
  return new Promise((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) =>
      err.code === "EADDRINUSE" ? resolve(undefined) : reject(err),
    );
    server.listen({ path: name, exclusive: true }, () => {
      // The lock must never keep the process alive.
      server.unref();
      resolve({ release: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

// macOS (no abstract sockets): open(2) with O_EXLOCK takes a flock(2) lock atomically with the open,
// and it goes away with the descriptor. Node has no name for the flag; 0x20 is its <fcntl.h> value.
const O_EXLOCK_DARWIN = 0x20;

function lockByOpenFlag(realDir: string): KernelLock | undefined {
  const { O_RDWR, O_CREAT, O_NONBLOCK } = fs.constants;
  let fd: number;
  try {
    fd = fs.openSync(
      path.join(realDir, `${LOCK_FILE}.flock`),
      O_RDWR | O_CREAT | O_NONBLOCK | O_EXLOCK_DARWIN,
    );
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "EAGAIN" || code === "EWOULDBLOCK") return undefined;
    throw err;
  }
  return { release: async () => fs.closeSync(fd) };
}

async function readHolder(lockFile: string): Promise<LockHolder | undefined> {
  try {
    return lockInfoSchema.parse(JSON.parse(await fs.promises.readFile(lockFile, "utf8")));
  } catch {
    // Missing or unreadable: the holder has not written it yet. The error says so.
    return undefined;
  }
}

async function readIdentity(file: string): Promise<z.infer<typeof identitySchema> | undefined> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, "utf8");
  } catch (err) {
    // No identity yet (a new dir, or data from before identities): written at registration.
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new DataDirIdentityError(file, (err as Error).message);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new DataDirIdentityError(file, `not JSON (${(err as Error).message})`);
  }
  const result = identitySchema.safeParse(parsed);
  if (!result.success) throw new DataDirIdentityError(file, z.prettifyError(result.error));
  return result.data;
}
