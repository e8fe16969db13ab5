import type { KvOp, KvResult } from "./kv.ts";

/** One client operation on a single key. `ret` is Infinity when the outcome is unknown. */
export interface HistoryOp {
  call: number;
  ret: number;
  op: KvOp;
  /** Known result (undefined when the outcome is unknown). */
  result?: KvResult;
}

// A single register: apply op to state; undefined means the observed result is impossible.
function stepModel(state: string | null, h: HistoryOp): string | null | undefined {
  const op = h.op;
  switch (op.kind) {
    case "put":
      return op.value;
    case "get":
      if (h.result !== undefined && h.result !== state) return undefined;
      return state;
    case "cas": {
      const ok = state === op.expect;
      if (h.result !== undefined && (h.result === "ok") !== ok) return undefined;
      return ok ? op.value : state;
    }
  }
}

/**
 * Wing & Gong search with memoisation (Lowe's refinement) for one key's history. Operations with an
 * unknown outcome may take effect at any point after their call, or never. Keys are independent
 * (linearizability is local), so callers check each key separately and keep histories short.
 */
export function checkRegister(history: HistoryOp[], max = 30): boolean {
  const ops = [...history].sort((a, b) => a.call - b.call);
  if (ops.length > max) throw new Error(`linearizability: history of ${ops.length} ops exceeds ${max}`);
  const n = ops.length;
  let mustMask = 0;
  for (let i = 0; i < n; i++) if (ops[i].ret !== Infinity) mustMask |= 1 << i;
  const seen = new Set<string>();

  const dfs = (mask: number, state: string | null): boolean => {
    if ((mask & mustMask) === mustMask) return true;
    let minRet = Infinity;
    for (let i = 0; i < n; i++) if (!(mask & (1 << i)) && ops[i].ret < minRet) minRet = ops[i].ret;
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) continue;
      if (ops[i].call > minRet) break;
      const next = stepModel(state, ops[i]);
      if (next === undefined) continue;
      const m2 = mask | (1 << i);
      const key = `${m2}:${next}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (dfs(m2, next)) return true;
    }
    return false;
  };
  return dfs(0, null);
}
