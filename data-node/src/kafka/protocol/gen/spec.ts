// The Kafka message-definition schema (see kafka-protocol/message/README.md), parsed and
// narrowed to the versions chronik implements.

export interface RawField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  default?: string | number | boolean;
  flexibleVersions?: string;
  fields?: RawField[];
}

export interface RawMessage {
  apiKey?: number;
  type: "request" | "response" | "header" | "data";
  name: string;
  validVersions: string;
  flexibleVersions: string;
  fields: RawField[];
}

// Inclusive version range; hi = Infinity for "N+"; empty when lo > hi.
export interface Range {
  lo: number;
  hi: number;
}

export const NONE: Range = { lo: 1, hi: 0 };

export function parseRange(s: string | undefined): Range {
  if (s === undefined || s === "none") return NONE;
  if (s.endsWith("+")) return { lo: Number(s.slice(0, -1)), hi: Number.POSITIVE_INFINITY };
  const dash = s.indexOf("-");
  if (dash > 0) return { lo: Number(s.slice(0, dash)), hi: Number(s.slice(dash + 1)) };
  const n = Number(s);
  return { lo: n, hi: n };
}

export function intersect(a: Range, b: Range): Range {
  return { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi) };
}

export function isEmpty(r: Range): boolean {
  return r.lo > r.hi;
}

// Drops `//` comments outside string literals (the definitions are JSON with comments).
export function stripComments(text: string): string {
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else {
      out += c;
    }
  }
  return out;
}

export function parseMessage(text: string): RawMessage {
  return JSON.parse(stripComments(text)) as RawMessage;
}
