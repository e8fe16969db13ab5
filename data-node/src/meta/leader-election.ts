import type { PartitionState } from "./image.ts";

// Choosing a partition leader when the current one must go (fenced or shutting down): only in-sync
// replicas are eligible, since anyone else may lack committed data. Among them, brokers that are
// alive and accepting leadership come first, then replica order (the preferred-leader order).

export function chooseLeader(
  p: Readonly<PartitionState>,
  isr: readonly number[],
  rank: (nodeId: number) => number,
): number | null {
  const eligible = p.replicas.filter((r) => isr.includes(r) && rank(r) < Number.POSITIVE_INFINITY);
  if (eligible.length === 0) return null;
  return eligible.reduce((best, r) => (rank(r) < rank(best) ? r : best));
}
