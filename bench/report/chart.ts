// A hand-written SVG: throughput per step (log-scale bars, MB/s) and latency percentiles per step
// (log-scale dot plot, ms) with the latency targets drawn in. Baselines grey, chronik blue.
import type { Measurement } from "../result.ts";
import { fmt } from "./targets.ts";

const WIDTH = 1100;
const LABEL_W = 420;
const PLOT_W = WIDTH - LABEL_W - 90;
const ROW_H = 32;
const FONT = "font-family='DejaVu Sans, Arial, sans-serif'";

const THROUGHPUT_IDS = [
  "chronik.1n_acks1_nofsync",
  "chronik.1n_acks1",
  "chronik.1n_acks1_js",
  "chronik.3n_acksall",
  "chronik.3n_acksall_js",
  "chronik.consume_fresh",
  "chronik.consume_cold_kcat",
  "chronik.consume_cached",
  "chronik.consume_cached_kcat",
];
const LATENCY_IDS = ["chronik.3n_acksall", "chronik.latency_20", "chronik.latency_60"];

const esc = (s: string): string => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

function logScale(min: number, max: number): (v: number) => number {
  const lo = Math.log10(min);
  const span = Math.log10(max) - lo;
  return (v) => LABEL_W + (Math.min(Math.max(Math.log10(Math.max(v, min)) - lo, 0), span) / span) * PLOT_W;
}

function axis(y0: number, y1: number, decades: number[], x: (v: number) => number, unit: string): string[] {
  const out: string[] = [];
  for (const d of decades) {
    const px = x(d).toFixed(1);
    out.push(`<line x1='${px}' y1='${y0}' x2='${px}' y2='${y1}' stroke='#ddd'/>`);
    out.push(
      `<text x='${px}' y='${y1 + 14}' font-size='11' text-anchor='middle' fill='#555' ${FONT}>${d} ${unit}</text>`,
    );
  }
  return out;
}

// Two lines: the step, and (smaller, grey) the client that made the load.
function label(y: number, m: Measurement): string {
  const cut = (t: string, n: number) => (t.length > n ? `${t.slice(0, n - 1)}…` : t);
  const color = m.status === "ok" ? "#222" : "#999";
  const client = m.status === "ok" ? m.client : "";
  return [
    `<text x='${LABEL_W - 8}' y='${y}' font-size='12' text-anchor='end' fill='${color}' ${FONT}><title>${esc(m.title)}</title>${esc(cut(m.title, 60))}</text>`,
    client
      ? `<text x='${LABEL_W - 8}' y='${y + 12}' font-size='10' text-anchor='end' fill='#777' ${FONT}><title>${esc(client)}</title>${esc(cut(client, 72))}</text>`
      : "",
  ].join("");
}

export function chartSvg(rows: Measurement[], title: string): string {
  // Fixed-rate runs are throttled on purpose: they belong in the latency panel only.
  const throttled = (m: Measurement) => m.params.target_records_per_sec !== undefined;
  const tp = rows.filter(
    (m) =>
      (m.status === "ok" && m.metrics.mbPerSec !== undefined && !throttled(m)) ||
      (m.status !== "ok" && THROUGHPUT_IDS.includes(m.id)),
  );
  const lat = rows.filter(
    (m) => (m.status === "ok" && m.metrics.latencyMs) || (m.status !== "ok" && LATENCY_IDS.includes(m.id)),
  );
  const out: string[] = [];
  let y = 30;
  out.push(`<text x='20' y='${y}' font-size='18' font-weight='bold' ${FONT}>${esc(title)}</text>`);
  y += 30;
  out.push(
    `<text x='20' y='${y}' font-size='15' font-weight='bold' ${FONT}>Throughput, MB/s (log scale; grey = baseline, blue = chronik)</text>`,
  );
  y += 16;
  const xt = logScale(1, 100_000);
  const tpTop = y;
  y += 8;
  for (const m of tp) {
    out.push(label(y + ROW_H / 2 - 6, m));
    if (m.status === "ok" && m.metrics.mbPerSec !== undefined) {
      const v = m.metrics.mbPerSec;
      const w = Math.max(1, xt(v) - LABEL_W);
      const color = m.group === "baseline" ? "#9e9e9e" : "#1f77b4";
      out.push(
        `<rect x='${LABEL_W}' y='${y}' width='${w.toFixed(1)}' height='${ROW_H - 8}' fill='${color}'/>`,
      );
      const rec = m.metrics.recordsPerSec !== undefined ? ` · ${fmt(m.metrics.recordsPerSec, 0)} rec/s` : "";
      out.push(
        `<text x='${(LABEL_W + w + 6).toFixed(1)}' y='${y + ROW_H / 2}' font-size='11' fill='#222' ${FONT}>${fmt(v)} MB/s${rec}</text>`,
      );
    } else {
      out.push(
        `<text x='${LABEL_W + 6}' y='${y + ROW_H / 2}' font-size='11' fill='#999' ${FONT}>not run</text>`,
      );
    }
    y += ROW_H;
  }
  out.push(...axis(tpTop, y, [1, 10, 100, 1000, 10_000, 100_000], xt, "MB/s"));
  y += 50;
  out.push(
    `<text x='20' y='${y}' font-size='15' font-weight='bold' ${FONT}>Latency percentiles, ms (log scale; per record, or per batch for baselines)</text>`,
  );
  y += 18;
  const legend: [string, string][] = [
    ["p50", "#2ca02c"],
    ["p95", "#1f77b4"],
    ["p99", "#ff7f0e"],
    ["p99.9", "#d62728"],
    ["max", "#555"],
  ];
  legend.forEach(([name, color], i) => {
    const lx = LABEL_W + i * 80;
    out.push(
      `<circle cx='${lx + 6}' cy='${y - 4}' r='5' fill='${color}'/><text x='${lx + 16}' y='${y}' font-size='12' ${FONT}>${name}</text>`,
    );
  });
  y += 12;
  const xl = logScale(0.01, 10_000);
  const latTop = y;
  y += 8;
  for (const m of lat) {
    const cy = y + ROW_H / 2 - 4;
    out.push(label(cy - 2, m));
    const l = m.metrics.latencyMs;
    if (m.status === "ok" && l) {
      out.push(
        `<line x1='${xl(l.p50).toFixed(1)}' y1='${cy}' x2='${xl(l.max).toFixed(1)}' y2='${cy}' stroke='#bbb' stroke-width='2'/>`,
      );
      const values = [l.p50, l.p95, l.p99, l.p999, l.max];
      for (const [i, v] of values.entries()) {
        out.push(
          `<circle cx='${xl(v).toFixed(1)}' cy='${cy}' r='5' fill='${legend[i][1]}'><title>${legend[i][0]}: ${v.toFixed(3)} ms</title></circle>`,
        );
      }
      out.push(
        `<text x='${(xl(l.max) + 8).toFixed(1)}' y='${cy + 4}' font-size='11' fill='#222' ${FONT}>p99 ${l.p99.toFixed(2)} · max ${fmt(l.max, 1)}</text>`,
      );
    } else {
      out.push(`<text x='${LABEL_W + 6}' y='${cy + 4}' font-size='11' fill='#999' ${FONT}>not run</text>`);
    }
    y += ROW_H;
  }
  out.push(...axis(latTop, y, [0.01, 0.1, 1, 10, 100, 1000, 10_000], xl, "ms"));
  for (const [v, name] of [
    [5, "p99 target 5 ms"],
    [20, "p99.9 target 20 ms"],
  ] as const) {
    const px = xl(v).toFixed(1);
    out.push(
      `<line x1='${px}' y1='${latTop}' x2='${px}' y2='${y}' stroke='#d62728' stroke-dasharray='4 3'/>`,
    );
    const right = v === 20;
    out.push(
      `<text x='${right ? Number(px) + 4 : Number(px) - 4}' y='${y + 30}' font-size='11' text-anchor='${right ? "start" : "end"}' fill='#d62728' ${FONT}>${name}</text>`,
    );
  }
  y += 50;
  y = limits(rows, out, y);
  return [
    `<svg xmlns='http://www.w3.org/2000/svg' width='${WIDTH}' height='${y}' viewBox='0 0 ${WIDTH} ${y}'>`,
    `<rect width='100%' height='100%' fill='white'/>`,
    ...out,
    "</svg>",
    "",
  ].join("\n");
}

// Figures with an absolute limit, as text rows: value against limit, green when within it.
const LIMITS: { id: string; unit: string; max: number; pick: (m: Measurement) => number | undefined }[] = [
  { id: "chronik.startup", unit: "ms", max: 2000, pick: (m) => m.metrics.millis },
  { id: "chronik.failover", unit: "ms", max: 2000, pick: (m) => m.metrics.millis },
  {
    id: "chronik.idle_cpu",
    unit: "% of a core (worst node)",
    max: 5,
    pick: (m) => (m.metrics.perNode?.length ? Math.max(...m.metrics.perNode) : undefined),
  },
];

function limits(rows: Measurement[], out: string[], top: number): number {
  let y = top;
  out.push(
    `<text x='20' y='${y}' font-size='15' font-weight='bold' ${FONT}>Startup, failover and idle CPU against their limits</text>`,
  );
  y += 14;
  for (const l of LIMITS) {
    const m = rows.find((r) => r.id === l.id);
    if (!m) continue;
    out.push(label(y + ROW_H / 2 - 6, m));
    const v = m.status === "ok" ? l.pick(m) : undefined;
    const text = v === undefined ? "not run" : `${fmt(v, 2)} / ≤ ${fmt(l.max, 0)} ${l.unit}`;
    const color = v === undefined ? "#999" : v <= l.max ? "#2ca02c" : "#d62728";
    out.push(
      `<text x='${LABEL_W + 6}' y='${y + ROW_H / 2}' font-size='12' font-weight='bold' fill='${color}' ${FONT}>${esc(text)}</text>`,
    );
    y += ROW_H;
  }
  return y + 20;
}
