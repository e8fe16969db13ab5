// Summarises a V8 .cpuprofile (from CHRONIK_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR"): the
// share of samples per source folder or package, found through the "// path" markers esbuild leaves
// in the bundle, and the functions with the most self time.
//   node bench/tools/profile-summary.mjs DIR/CPU.*.cpuprofile [top=20]
import { readFileSync } from "node:fs";

const profile = JSON.parse(readFileSync(process.argv[2], "utf8"));
const top = Number(process.argv[3] ?? 20);
const MARKER = /^\/\/ (node_modules\/(@[^/]+\/[^/]+|[^/]+)|[a-z-]+\/src\/[^/]+|shared\/[^/]+)/;

const markers = new Map();
function moduleAt(url, line) {
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  if (!url.startsWith("file://")) return null;
  const path = url.slice("file://".length);
  if (!markers.has(path)) {
    const found = [];
    try {
      readFileSync(path, "utf8")
        .split("\n")
        .forEach((text, i) => {
          const m = MARKER.exec(text);
          if (m) found.push([i, m[2] ?? m[1]]);
        });
    } catch {}
    markers.set(path, found);
  }
  let name = null;
  for (const [i, n] of markers.get(path)) {
    if (i > line) break;
    name = n;
  }
  return name ?? path.split("/").pop();
}

const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const hits = new Map();
for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);

const byModule = new Map();
const byFunction = new Map();
let idle = 0;
for (const [id, count] of hits) {
  const frame = nodes.get(id).callFrame;
  if (frame.functionName === "(idle)") {
    idle += count;
    continue;
  }
  const fn = `${frame.functionName || "(anonymous)"} ${moduleAt(frame.url, frame.lineNumber) ?? ""}`.trim();
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + count);
  // Native and Node-internal frames count toward the nearest caller in our code or a package.
  let owner = null;
  for (let cur = id; cur !== undefined && owner === null; cur = parent.get(cur)) {
    const f = nodes.get(cur).callFrame;
    const m = moduleAt(f.url, f.lineNumber);
    if (m && !m.startsWith("node:")) owner = m;
  }
  const key = owner ?? frame.functionName;
  byModule.set(key, (byModule.get(key) ?? 0) + count);
}

const total = profile.samples.length;
const pct = (n) => `${((100 * n) / total).toFixed(1).padStart(5)} %`;
console.log(
  `${total} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s; idle ${pct(idle)}`,
);
console.log("\nby source folder or package (including the native calls they make):");
for (const [k, n] of [...byModule].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${k}`);
console.log("\nby function (self time):");
for (const [k, n] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
  console.log(`${pct(n)}  ${k}`);
