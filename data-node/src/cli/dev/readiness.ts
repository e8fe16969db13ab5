// What a node's GET /health/ready says, or undefined while nothing answers on its admin port.
export interface ReadyState {
  ready: boolean;
  waiting_for: string[];
}

export async function readReady(baseUrl: string): Promise<ReadyState | undefined> {
  try {
    const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as Partial<ReadyState>;
    return { ready: res.status === 200 && body.ready === true, waiting_for: body.waiting_for ?? [] };
  } catch {
    return undefined;
  }
}

// A short stage name for progress lines: starting → leader known → registered → ready.
export function stageOf(state: ReadyState): string {
  if (state.ready) return "ready";
  const waiting = new Set(state.waiting_for);
  if (waiting.has("meta_leader_known")) return "waiting for __meta leader";
  if (waiting.has("registered")) return "leader known, registering";
  return `registered, waiting for ${state.waiting_for.join(", ")}`;
}

// The control plane's GET /readyz as a stage, or undefined while nothing answers on its port.
export async function controlPlaneStage(baseUrl: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(1000) });
    await res.body?.cancel();
    return res.ok ? `ready at ${baseUrl}/cluster/health` : `not ready (/readyz ${res.status})`;
  } catch {
    return undefined;
  }
}
