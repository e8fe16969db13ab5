import type { SchemaField } from "../../../data-node/src/kafka/protocol/generated/schema.ts";
import { ZERO_UUID } from "../../../data-node/src/kafka/protocol/uuid.ts";

// Builds message values from the narrowed schema: "full" fills every present field (arrays of
// two), "sparse" uses null wherever nullable and empty arrays. Absent fields get the defaults
// the decoder fills in; absent tagged fields are undefined.
export type Variant = "full" | "sparse";

const inRange = (r: [number, number] | null, v: number) => r !== null && v >= r[0] && v <= r[1];

function primitiveSample(type: string, name: string, i: number): unknown {
  switch (type) {
    case "bool":
      return i % 2 === 0;
    case "int8":
      return -5 + i;
    case "int16":
      return -300 + i;
    case "uint16":
      return 65000 + i;
    case "int32":
      return -70000 - i;
    case "uint32":
      return 4_000_000_000 + i;
    case "int64":
      return -(2n ** 40n) - BigInt(i);
    case "float64":
      return 1.5 + i;
    case "string":
      return `${name}-ü-${i}`;
    case "uuid":
      return `0123abcd-4567-89ef-0123-4567${(8900 + i).toString().padStart(8, "0")}`;
    case "bytes":
      return Buffer.from([1, 2, 3, i]);
    case "records":
      return Buffer.from([9, 8, 7, 6, i]);
    default:
      throw new Error(type);
  }
}

export function defaultFor(f: SchemaField): unknown {
  if (f.tagged) return undefined;
  if (f.array) return [];
  if (f.fields) return structDefault(f.fields);
  const d = f.defaultValue;
  if (d === "null") return null;
  switch (f.type) {
    case "bool":
      return d === true || d === "true";
    case "int64":
      return d === null ? 0n : BigInt(d as string | number);
    case "string":
      return d === null ? "" : String(d);
    case "uuid":
      return ZERO_UUID;
    case "bytes":
      return Buffer.alloc(0);
    case "records":
      return null;
    default:
      return d === null ? 0 : Number(d);
  }
}

function structDefault(fields: SchemaField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f.name] = defaultFor(f);
  return out;
}

export function sampleStruct(
  fields: SchemaField[],
  v: number,
  variant: Variant,
  i = 0,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const present = inRange(f.present, v);
    if (f.tagged) {
      out[f.name] = present && inRange(f.tagged, v) ? sampleValue(f, v, variant, i) : undefined;
      continue;
    }
    out[f.name] = present ? sampleValue(f, v, variant, i) : defaultFor(f);
  }
  return out;
}

function sampleValue(f: SchemaField, v: number, variant: Variant, i: number): unknown {
  if (variant === "sparse" && inRange(f.nullable, v)) return null;
  if (f.array) {
    if (variant === "sparse") return [];
    return [0, 1].map((k) =>
      f.fields ? sampleStruct(f.fields, v, variant, k) : primitiveSample(f.type, f.name, k),
    );
  }
  if (f.fields) return sampleStruct(f.fields, v, variant, i);
  return primitiveSample(f.type, f.name, i);
}
