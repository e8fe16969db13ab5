// Shared pieces of the chronik scenarios: turning a load generator's report into a result row, and
// running one step so that its failure becomes a "not run" row instead of ending the run.
import type { JsProduceReport } from "../clients/js-producer.ts";
import type { ConsumeReport, ProduceReport } from "../clients/librdkafka.ts";
import { errorText, type Measurement, measured, notRun, type Params } from "../result.ts";
import type { BenchContext } from "./context.ts";

// Throws once the run's time budget is used up, so that no further step or cluster starts.
export function checkBudget(ctx: BenchContext): void {
  if (Date.now() > ctx.deadline)
    throw new Error(`the run's time budget (${ctx.profile.budgetSeconds} s) is used up`);
}

export async function step(
  id: string,
  title: string,
  params: Params,
  ctx: BenchContext,
  fn: () => Promise<Measurement>,
): Promise<Measurement> {
  const log = ctx.log;
  log(`chronik: ${title} …`);
  try {
    checkBudget(ctx);
    return await fn();
  } catch (err) {
    log(`chronik: ${title}: not run: ${errorText(err)}`);
    return notRun(id, "chronik", title, errorText(err), params);
  }
}

export function produceRow(id: string, title: string, r: ProduceReport, params: Params): Measurement {
  return measured({
    id,
    group: "chronik",
    title,
    client: r.client,
    metrics: {
      recordsPerSec: r.records_per_sec,
      mbPerSec: r.mb_per_sec,
      seconds: r.seconds,
      latencyMs: r.latency_ms ?? undefined,
    },
    params: { ...params, records: r.records_acked },
    notes:
      r.records_acked < r.records_sent
        ? [
            `stopped at the time limit: ${r.records_acked} of ${r.records_sent} sent records acked; the rate is acked/elapsed`,
          ]
        : undefined,
  });
}

export function jsProduceRow(id: string, title: string, r: JsProduceReport, params: Params): Measurement {
  return measured({
    id,
    group: "chronik",
    title,
    client: r.client,
    metrics: {
      recordsPerSec: r.recordsPerSec,
      mbPerSec: r.mbPerSec,
      seconds: r.seconds,
      latencyMs: r.latencyMs,
    },
    params: { ...params, records: r.records },
    notes: ["latency is per batch (send → ack), applied to each record of the batch", ...(r.notes ?? [])],
  });
}

export function consumeRow(id: string, title: string, r: ConsumeReport, params: Params): Measurement {
  return measured({
    id,
    group: "chronik",
    title,
    client: r.client,
    metrics: { recordsPerSec: r.records_per_sec, mbPerSec: r.mb_per_sec, seconds: r.seconds },
    params: { ...params, records: r.records },
  });
}
