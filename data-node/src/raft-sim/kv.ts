// The simulator's replicated key-value state machine and its command encoding.

export type KvOp =
  | { kind: "put"; key: string; value: string }
  | { kind: "cas"; key: string; expect: string | null; value: string }
  | { kind: "get"; key: string };

export interface KvCommand {
  opId: number;
  op: KvOp;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const NULL = "\u0000";

export function encodeCommand(c: KvCommand): Uint8Array {
  const op = c.op;
  const parts =
    op.kind === "put"
      ? [c.opId, "p", op.key, op.value]
      : op.kind === "cas"
        ? [c.opId, "c", op.key, op.expect ?? NULL, op.value]
        : [c.opId, "g", op.key];
  return enc.encode(parts.join("|"));
}

export function decodeCommand(data: Uint8Array): KvCommand {
  const p = dec.decode(data).split("|");
  const opId = Number(p[0]);
  switch (p[1]) {
    case "p":
      return { opId, op: { kind: "put", key: p[2], value: p[3] } };
    case "c":
      return { opId, op: { kind: "cas", key: p[2], expect: p[3] === NULL ? null : p[3], value: p[4] } };
    default:
      return { opId, op: { kind: "get", key: p[2] } };
  }
}

/** Result of an operation: "ok" / "fail" for writes, the value (or null) for reads. */
export type KvResult = string | null;

export class KvStore {
  private readonly data = new Map<string, string>();

  apply(op: KvOp): KvResult {
    switch (op.kind) {
      case "put":
        this.data.set(op.key, op.value);
        return "ok";
      case "cas":
        if ((this.data.get(op.key) ?? null) !== op.expect) return "fail";
        this.data.set(op.key, op.value);
        return "ok";
      case "get":
        return this.data.get(op.key) ?? null;
    }
  }

  get(key: string): string | null {
    return this.data.get(key) ?? null;
  }

  serialize(): Uint8Array {
    return enc.encode(JSON.stringify([...this.data]));
  }

  static restore(data: Uint8Array): KvStore {
    const kv = new KvStore();
    if (data.byteLength === 0) return kv;
    for (const [k, v] of JSON.parse(dec.decode(data)) as [string, string][]) kv.data.set(k, v);
    return kv;
  }
}
