import type { Logger } from "../../../shared/log.ts";
import { mirrorPushHeaders } from "../../../shared/registry/mirror-signature.ts";
import type { RegistrySnapshot } from "../../../shared/registry/snapshot.ts";

// Pushes the registry snapshot to the control plane's mirror (POST {url}/v1/mirror), signed with the
// cluster's secret. Run by the __meta leader: it pushes at once on start, again shortly after each
// change (debounced) and every intervalMs, and backs off exponentially while the control plane is
// unreachable or refuses. The control plane keeps only the newest (term, applied_index), so a
// repeated or late push is harmless.

export interface MirrorPublisherOptions {
  // Base URL of the control plane, e.g. http://127.0.0.1:8080.
  url: string;
  clusterId: string;
  secret: string;
  // The current snapshot, read at push time; undefined while there is nothing to publish yet.
  getSnapshot: () => RegistrySnapshot | undefined;
  intervalMs?: number;
  debounceMs?: number;
  logger: Logger;
  fetch?: typeof fetch;
  // Wall clock for the signed timestamp.
  clock?: () => number;
  backoff?: BackoffOptions;
  requestTimeoutMs?: number;
  random?: () => number;
}

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

export interface MirrorPublisher {
  notifyChange(): void;
  stop(): Promise<void>;
}

// Delay before retry number `failures` (1-based): doubling from initialMs up to maxMs, with up to
// 20% jitter either way so restarted publishers do not retry in lockstep.
export function backoffDelay(
  failures: number,
  opts: BackoffOptions = {},
  random: () => number = Math.random,
): number {
  const initial = opts.initialMs ?? 250;
  const max = opts.maxMs ?? 30_000;
  const base = Math.min(max, initial * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(base * (0.8 + 0.4 * random()));
}

export function startMirrorPublisher(opts: MirrorPublisherOptions): MirrorPublisher {
  const intervalMs = opts.intervalMs ?? 2000;
  const debounceMs = opts.debounceMs ?? 100;
  const doFetch = opts.fetch ?? fetch;
  const clock = opts.clock ?? Date.now;
  const endpoint = `${opts.url.replace(/\/+$/, "")}/v1/mirror`;
  const log = opts.logger.child({ component: "mirror-publisher", cluster_id: opts.clusterId });
  const stopping = new AbortController();

  let timer: ReturnType<typeof setTimeout> | undefined;
  let dueAt = Number.POSITIVE_INFINITY;
  let inFlight: Promise<void> | undefined;
  // A change arrived while a push was in flight: push again soon after it.
  let dirty = false;
  let failures = 0;
  let stopped = false;

  function schedule(delayMs: number): void {
    if (stopped) return;
    if (timer) clearTimeout(timer);
    dueAt = performance.now() + delayMs;
    timer = setTimeout(run, delayMs);
  }

  let reached = false;

  function run(): void {
    timer = undefined;
    dueAt = Number.POSITIVE_INFINITY;
    dirty = false;
    inFlight = pushOnce().then((ok) => {
      inFlight = undefined;
      if (ok) {
        if (failures > 0) log.info({ failed_attempts: failures }, "mirror push recovered");
        failures = 0;
        schedule(dirty ? debounceMs : intervalMs);
      } else {
        failures += 1;
        schedule(backoffDelay(failures, opts.backoff, opts.random));
      }
    });
  }

  // True when the control plane accepted the push (applied or not) or there was nothing to push.
  async function pushOnce(): Promise<boolean> {
    const snapshot = opts.getSnapshot();
    if (!snapshot) return true;
    const body = JSON.stringify(snapshot);
    let problem: Record<string, unknown>;
    try {
      const headers = await mirrorPushHeaders(opts.secret, clock(), body);
      const res = await doFetch(endpoint, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.any([stopping.signal, AbortSignal.timeout(opts.requestTimeoutMs ?? 5000)]),
      });
      const text = await res.text();
      reached = true;
      if (res.ok) {
        log.debug({ version: snapshot.version, response: text }, "mirror push accepted");
        return true;
      }
      problem = { status: res.status, response: text.slice(0, 500) };
    } catch (err) {
      if (stopped) return true;
      problem = { error: (err as Error).message, cause: String((err as { cause?: unknown }).cause ?? "") };
    }
    // Log the transition into failure once; retries stay quiet until it recovers. A control plane
    // that has never answered is most likely still starting (chronik dev starts both at once).
    if (failures === 0 && reached)
      log.warn({ ...problem, url: endpoint }, "mirror push failing; retrying with backoff");
    else if (failures === 0)
      log.info({ ...problem, url: endpoint }, "waiting for the control plane to accept mirror pushes");
    return false;
  }

  schedule(0);
  log.info({ url: endpoint, interval_ms: intervalMs }, "mirror publisher started");

  return {
    notifyChange() {
      if (stopped) return;
      if (inFlight) {
        dirty = true;
        return;
      }
      // While backing off, the next retry reads the latest snapshot anyway.
      if (failures > 0) return;
      if (dueAt - performance.now() > debounceMs) schedule(debounceMs);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      stopping.abort();
      await inFlight;
      log.info("mirror publisher stopped");
    },
  };
}
