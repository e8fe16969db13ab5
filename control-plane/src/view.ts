import type { Context } from "hono";
import { z } from "zod";
import type { RegistrySnapshot } from "../../shared/registry/snapshot.ts";
import type { AppDeps } from "./deps.ts";
import { listClusterIds, loadSnapshot } from "./mirror/store.ts";

// Picks the cluster a read request is about and loads its mirror.

export const clusterQuery = z.object({
  cluster: z.string().min(1).optional(),
});

export const errorSchema = z.object({ error: z.string(), clusters: z.array(z.string()).optional() });

export const versionEnvelope = z.object({
  cluster_id: z.string(),
  metadata_version: z.object({ term: z.number().int(), applied_index: z.number().int() }),
  observed_at: z.number().int(),
  age_ms: z.number().int(),
  stale: z.boolean(),
});

export interface MirrorView {
  snapshot: RegistrySnapshot;
  // "Now" translated to the publisher's clock: observed_at plus the time since the last confirming
  // push on our clock. Health rules compare it with observed_at, so clock skew between the cluster
  // and the control plane never makes a mirror look fresh or stale.
  now: number;
  envelope: z.infer<typeof versionEnvelope>;
}

export type ViewResult =
  | { ok: true; view: MirrorView }
  | { ok: false; status: 400 | 404; body: z.infer<typeof errorSchema> };

export async function loadView(deps: AppDeps, requested: string | undefined): Promise<ViewResult> {
  let clusterId = requested;
  if (clusterId === undefined) {
    const ids = await listClusterIds(deps.db);
    if (ids.length === 0)
      return { ok: false, status: 404, body: { error: "no cluster has been mirrored yet" } };
    if (ids.length > 1) {
      return {
        ok: false,
        status: 400,
        body: { error: "several clusters are mirrored: pass ?cluster=ID", clusters: ids },
      };
    }
    clusterId = ids[0];
  }
  const stored = await loadSnapshot(deps.db, clusterId);
  if (!stored) return { ok: false, status: 404, body: { error: `unknown cluster ${clusterId}` } };
  const ageMs = Math.max(0, deps.clock() - stored.receivedAt);
  const s = stored.snapshot;
  return {
    ok: true,
    view: {
      snapshot: s,
      now: s.observed_at + ageMs,
      envelope: {
        cluster_id: s.cluster_id,
        metadata_version: { term: s.version.term, applied_index: s.version.applied_index },
        observed_at: s.observed_at,
        age_ms: ageMs,
        stale: ageMs > deps.settings.maxAgeMs,
      },
    },
  };
}

export function viewError(c: Context, result: Extract<ViewResult, { ok: false }>) {
  return c.json(result.body, result.status);
}
