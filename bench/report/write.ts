import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import type { Profile } from "../profile.ts";
import type { Measurement } from "../result.ts";
import { chartSvg } from "./chart.ts";
import { markdown } from "./markdown.ts";
import type { RunInfo } from "./run-info.ts";
import type { Check } from "./targets.ts";

export interface Written {
  json: string;
  md: string;
  svg: string;
  png?: string;
}

export function writeReport(
  outDir: string,
  info: RunInfo,
  profile: Profile,
  rows: Measurement[],
  checks: Check[],
): Written {
  mkdirSync(outDir, { recursive: true });
  const stem = join(outDir, info.startedAt.replace(/[:.]/g, "-"));
  const files: Written = { json: `${stem}.json`, md: `${stem}.md`, svg: `${stem}.svg` };
  writeFileSync(files.json, `${JSON.stringify({ info, profile, checks, measurements: rows }, null, 2)}\n`);
  writeFileSync(files.svg, chartSvg(rows, `chronik bench ${info.startedAt} (${info.profile})`));
  writeFileSync(files.md, markdown(info, rows, checks, basename(files.svg)));
  // A PNG next to the SVG for viewers without SVG support, when the converter is installed.
  const png = spawnSync("rsvg-convert", ["-o", `${stem}.png`, files.svg], { stdio: "ignore" });
  if (png.status === 0) files.png = `${stem}.png`;
  return files;
}
