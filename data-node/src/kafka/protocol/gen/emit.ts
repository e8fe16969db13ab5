import { intersect, isEmpty, parseRange, type Range, type RawField, type RawMessage } from "./spec.ts";

// Emits one TypeScript module per message: interfaces, read/size/write functions and
// defaults. Version checks are emitted as plain comparisons on `v`; `f` is "flexible".

const PRIMITIVES = new Set([
  "bool",
  "int8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "float64",
  "string",
  "uuid",
  "bytes",
  "records",
]);

const FIXED_SIZE: Record<string, number> = {
  bool: 1,
  int8: 1,
  int16: 2,
  uint16: 2,
  int32: 4,
  uint32: 4,
  int64: 8,
  float64: 8,
  uuid: 16,
};

// A field narrowed to the versions we generate.
export interface Field {
  name: string; // camelCase property name
  jsonName: string;
  type: string; // element type for arrays
  isArray: boolean;
  struct: Struct | null;
  present: Range;
  nullable: Range;
  tagged: Range;
  tag: number;
  compact: "f" | "false"; // expression: is this field compact-encoded
  defaultValue: string | number | boolean | undefined;
}

export interface Struct {
  tsName: string;
  jsonName: string;
  range: Range;
  fields: Field[];
}

export interface Message {
  raw: RawMessage;
  range: Range;
  flexible: Range;
  root: Struct;
  structs: Struct[]; // nested, in definition order
}

function camel(name: string): string {
  return name[0].toLowerCase() + name.slice(1);
}

export function buildMessage(
  raw: RawMessage,
  lo: number,
  hi: number,
  structName: (s: string) => string,
): Message {
  const range: Range = { lo, hi };
  const flexible = intersect(parseRange(raw.flexibleVersions), range);
  const structs: Struct[] = [];
  const build = (tsName: string, jsonName: string, rawFields: RawField[], within: Range): Struct => {
    const fields: Field[] = [];
    for (const rf of rawFields) {
      const present = intersect(parseRange(rf.versions), within);
      if (isEmpty(present)) continue;
      const isArray = rf.type.startsWith("[]");
      const type = isArray ? rf.type.slice(2) : rf.type;
      let struct: Struct | null = null;
      if (!PRIMITIVES.has(type)) {
        if (!rf.fields)
          throw new Error(`${raw.name}.${rf.name}: struct ${type} without fields is unsupported`);
        struct = build(structName(type), type, rf.fields, present);
        structs.push(struct);
      }
      const nullable = intersect(parseRange(rf.nullableVersions), present);
      if (struct && !isArray && !isEmpty(nullable))
        throw new Error(`${raw.name}.${rf.name}: nullable struct`);
      const tagged = intersect(intersect(parseRange(rf.taggedVersions), present), flexible);
      const fieldFlex =
        rf.flexibleVersions === undefined ? flexible : intersect(parseRange(rf.flexibleVersions), range);
      fields.push({
        name: camel(rf.name),
        jsonName: rf.name,
        type,
        isArray,
        struct,
        present,
        nullable,
        tagged,
        tag: rf.tag ?? -1,
        compact: isEmpty(fieldFlex) ? "false" : "f",
        defaultValue: rf.default,
      });
    }
    return { tsName, jsonName, range: within, fields };
  };
  const root = build(raw.name, raw.name, raw.fields, range);
  return { raw, range, flexible, root, structs };
}

// `v` lies in `r`, knowing it lies in `within`.
function cond(r: Range, within: Range): string {
  if (isEmpty(r)) return "false";
  const parts: string[] = [];
  if (r.lo > within.lo) parts.push(`v >= ${r.lo}`);
  if (r.hi < within.hi) parts.push(`v <= ${r.hi}`);
  return parts.length === 0 ? "true" : parts.join(" && ");
}

function tsElemType(f: Field): string {
  if (f.struct) return f.struct.tsName;
  switch (f.type) {
    case "bool":
      return "boolean";
    case "int64":
      return "bigint";
    case "string":
    case "uuid":
      return "string";
    case "bytes":
      return "Buffer";
    case "records":
      return "RecordsData";
    default:
      return "number";
  }
}

function tsType(f: Field): string {
  const base = f.isArray ? `${tsElemType(f)}[]` : tsElemType(f);
  return isEmpty(f.nullable) ? base : `${base} | null`;
}

function defaultExpr(f: Field): string {
  const d = f.defaultValue;
  if (f.isArray) return "[]";
  if (f.struct) return `default${f.struct.tsName}()`;
  if (d === "null") return "null";
  switch (f.type) {
    case "bool":
      return d === undefined ? "false" : String(d === true || d === "true");
    case "int64":
      return d === undefined ? "0n" : `${BigInt(d as string | number)}n`;
    case "float64":
    case "int8":
    case "int16":
    case "uint16":
    case "int32":
    case "uint32":
      return d === undefined ? "0" : String(Number(d));
    case "string":
      return JSON.stringify(d === undefined ? "" : String(d));
    case "uuid":
      return "ZERO_UUID";
    case "bytes":
      return "EMPTY";
    case "records":
      return "null";
    default:
      throw new Error(`no default for ${f.type}`);
  }
}

function readPrim(type: string, compact: string, nl: string): string {
  const bang = nl === "false" ? "!" : "";
  const pick = (plain: string, comp: string) =>
    compact === "false" ? `${plain}${bang}` : `(f ? ${comp}${bang} : ${plain}${bang})`;
  switch (type) {
    case "bool":
    case "int8":
    case "int16":
    case "uint16":
    case "int32":
    case "uint32":
    case "int64":
    case "float64":
    case "uuid":
      return `r.${type}()`;
    case "string":
      return pick(`r.string(${nl})`, `r.compactString(${nl})`);
    case "bytes":
    case "records":
      return pick(`r.bytes(${nl})`, `r.compactBytes(${nl})`);
    default:
      throw new Error(type);
  }
}

function writePrim(type: string, val: string, compact: string): string {
  switch (type) {
    case "string":
      return `w.string(${val}, ${compact});`;
    case "bytes":
      return `w.bytes(${val}, ${compact});`;
    case "records":
      return `w.records(${val}, ${compact});`;
    default:
      return `w.${type}(${val});`;
  }
}

function sizePrim(type: string, val: string, compact: string): string {
  switch (type) {
    case "string":
      return `stringSize(${val}, ${compact})`;
    case "bytes":
      return `bytesSize(${val}, ${compact})`;
    case "records":
      return `recordsSize(${val}, ${compact}, x)`;
    default:
      return String(FIXED_SIZE[type]);
  }
}

// Nullability of the field at version v, as an expression.
function nullExpr(f: Field): string {
  return cond(f.nullable, f.present);
}

function readValue(f: Field, target: string, ind: string): string[] {
  const nl = nullExpr(f);
  if (!f.isArray) {
    if (f.struct) return [`${ind}${target} = read${f.struct.tsName}(r, v);`];
    return [`${ind}${target} = ${readPrim(f.type, f.compact, nl)};`];
  }
  const elem = f.struct ? `read${f.struct.tsName}(r, v)` : readPrim(f.type, f.compact, "false");
  const len =
    f.compact === "false" ? `r.arrayLen(${nl})` : `f ? r.compactArrayLen(${nl}) : r.arrayLen(${nl})`;
  const fill = [
    `${ind}    const a: ${tsElemType(f)}[] = new Array(n);`,
    `${ind}    for (let i = 0; i < n; i++) a[i] = ${elem};`,
    `${ind}    ${target} = a;`,
  ];
  if (isEmpty(f.nullable)) return [`${ind}{`, `${ind}  const n = ${len};`, ...fill, `${ind}}`];
  return [
    `${ind}{`,
    `${ind}  const n = ${len};`,
    `${ind}  if (n < 0) ${target} = null;`,
    `${ind}  else {`,
    ...fill,
    `${ind}  }`,
    `${ind}}`,
  ];
}

function writeValue(f: Field, val: string, ind: string): string[] {
  const out: string[] = [];
  const nullable = !isEmpty(f.nullable);
  const partlyNullable = nullable && nullExpr(f) !== "true";
  if (partlyNullable) {
    out.push(
      `${ind}if (${val} === null && !(${nullExpr(f)})) throw new EncodeError("${f.jsonName} is not nullable in v" + v);`,
    );
  }
  if (!f.isArray) {
    if (f.struct) out.push(`${ind}write${f.struct.tsName}(w, ${val}, v);`);
    else out.push(`${ind}${writePrim(f.type, val, f.compact)}`);
    return out;
  }
  const elemWrite = f.struct ? `write${f.struct.tsName}(w, e, v);` : writePrim(f.type, "e", f.compact);
  if (nullable) {
    out.push(`${ind}if (${val} === null) w.arrayLen(null, ${f.compact});`);
    out.push(`${ind}else {`);
  } else out.push(`${ind}{`);
  out.push(`${ind}  w.arrayLen(${val}.length, ${f.compact});`);
  out.push(`${ind}  for (const e of ${val}) ${elemWrite}`);
  out.push(`${ind}}`);
  return out;
}

function sizeValue(f: Field, val: string, acc: string, ind: string): string[] {
  if (!f.isArray) {
    if (f.struct) return [`${ind}${acc} += size${f.struct.tsName}(${val}, v, x);`];
    return [`${ind}${acc} += ${sizePrim(f.type, val, f.compact)};`];
  }
  const out: string[] = [];
  const nullable = !isEmpty(f.nullable);
  if (nullable) {
    out.push(`${ind}if (${val} === null) ${acc} += arrayHeaderSize(null, ${f.compact});`);
    out.push(`${ind}else {`);
  } else out.push(`${ind}{`);
  out.push(`${ind}  ${acc} += arrayHeaderSize(${val}.length, ${f.compact});`);
  if (f.struct) out.push(`${ind}  for (const e of ${val}) ${acc} += size${f.struct.tsName}(e, v, x);`);
  else if (FIXED_SIZE[f.type] !== undefined)
    out.push(`${ind}  ${acc} += ${val}.length * ${FIXED_SIZE[f.type]};`);
  else out.push(`${ind}  for (const e of ${val}) ${acc} += ${sizePrim(f.type, "e", f.compact)};`);
  out.push(`${ind}}`);
  return out;
}

function isTagged(f: Field): boolean {
  return !isEmpty(f.tagged);
}

function emitStruct(m: Message, s: Struct): string {
  const out: string[] = [];
  const within = s.range;
  const flex = cond(m.flexible, within);
  const usesFlex = (fs: Field[]) => fs.some((f) => f.compact === "f") || flex !== "false";
  const regular = s.fields.filter((f) => !isTagged(f) || cond(f.tagged, f.present) !== "true");
  const tagged = s.fields.filter(isTagged).sort((a, b) => a.tag - b.tag);

  out.push(`export interface ${s.tsName} {`);
  for (const f of s.fields) out.push(`  ${f.name}${isTagged(f) ? "?" : ""}: ${tsType(f)};`);
  out.push("}", "");

  out.push(`export function default${s.tsName}(): ${s.tsName} {`);
  out.push("  return {");
  for (const f of s.fields) out.push(`    ${f.name}: ${isTagged(f) ? "undefined" : defaultExpr(f)},`);
  out.push("  };", "}", "");

  // read
  out.push(`export function read${s.tsName}(r: Reader, v: number): ${s.tsName} {`);
  if (usesFlex(s.fields)) out.push(`  const f = ${flex};`);
  for (const f of s.fields) {
    out.push(
      `  let ${f.name}: ${tsType(f)}${isTagged(f) ? " | undefined" : ""} = ${isTagged(f) ? "undefined" : defaultExpr(f)};`,
    );
  }
  for (const f of regular) {
    const c = isTagged(f)
      ? `(${cond(f.present, within)}) && !(${cond(f.tagged, within)})`
      : cond(f.present, within);
    if (c === "true") out.push(...readValue(f, f.name, "  "));
    else {
      out.push(`  if (${c}) {`);
      out.push(...readValue(f, f.name, "    "));
      out.push("  }");
    }
  }
  if (flex !== "false") {
    out.push("  if (f) {");
    out.push("    const count = r.uvarint();");
    out.push("    for (let t = 0; t < count; t++) {");
    out.push("      const tag = r.uvarint();");
    out.push("      const len = r.uvarint();");
    out.push("      const end = r.pos + len;");
    if (tagged.length > 0) {
      out.push("      switch (tag) {");
      for (const f of tagged) {
        out.push(`        case ${f.tag}:`);
        const c = cond(f.tagged, within);
        if (c !== "true") out.push(`          if (!(${c})) { r.skip(len); break; }`);
        out.push(...readValue(f, f.name, "          "));
        out.push("          if (r.pos !== end) r.fail(`tagged field " + f.tag + " length mismatch`);");
        out.push("          break;");
      }
      out.push("        default:", "          r.skip(len);", "      }");
    } else {
      out.push("      void tag;", "      void end;", "      r.skip(len);");
    }
    out.push("    }");
    out.push("  }");
  }
  out.push(`  return { ${s.fields.map((f) => f.name).join(", ")} };`);
  out.push("}", "");

  // size
  out.push(`export function size${s.tsName}(m: ${s.tsName}, v: number, x: SizeCtx): number {`);
  if (usesFlex(s.fields)) out.push(`  const f = ${flex};`);
  out.push("  let s = 0;");
  for (const f of regular) {
    const c = isTagged(f)
      ? `(${cond(f.present, within)}) && !(${cond(f.tagged, within)})`
      : cond(f.present, within);
    if (c === "true") out.push(...sizeValue(f, `m.${f.name}`, "s", "  "));
    else {
      out.push(`  if (${c}) {`);
      out.push(...sizeValue(f, `m.${f.name}`, "s", "    "));
      out.push("  }");
    }
  }
  if (flex !== "false") {
    out.push("  if (f) {");
    out.push("    let count = 0;");
    for (const f of tagged) {
      out.push(`    if ((${cond(f.tagged, within)}) && m.${f.name} !== undefined) {`);
      out.push("      count++;");
      out.push("      let t = 0;");
      out.push(...sizeValue(f, `m.${f.name}`, "t", "      "));
      out.push(`      s += uvarintSize(${f.tag}) + uvarintSize(t) + t;`);
      out.push("    }");
    }
    out.push("    s += uvarintSize(count);");
    out.push("  }");
  }
  out.push("  return s;", "}", "");

  // write
  out.push(`export function write${s.tsName}(w: Writer, m: ${s.tsName}, v: number): void {`);
  if (usesFlex(s.fields)) out.push(`  const f = ${flex};`);
  for (const f of regular) {
    const c = isTagged(f)
      ? `(${cond(f.present, within)}) && !(${cond(f.tagged, within)})`
      : cond(f.present, within);
    if (c === "true") out.push(...writeValue(f, `m.${f.name}`, "  "));
    else {
      out.push(`  if (${c}) {`);
      out.push(...writeValue(f, `m.${f.name}`, "    "));
      out.push("  }");
    }
  }
  if (flex !== "false") {
    out.push("  if (f) {");
    if (tagged.length === 0) out.push("    w.uvarint(0);");
    else {
      // Unset tagged fields are omitted: the count is 0 unless a caller sets one.
      out.push("    let count = 0;");
      for (const f of tagged)
        out.push(`    if ((${cond(f.tagged, within)}) && m.${f.name} !== undefined) count++;`);
      out.push("    w.uvarint(count);");
      for (const f of tagged) {
        out.push(`    if ((${cond(f.tagged, within)}) && m.${f.name} !== undefined) {`);
        out.push(`      const tv = m.${f.name};`);
        out.push("      let t = 0;");
        out.push("      const tx: SizeCtx = { external: 0 };");
        out.push(...sizeValue(f, "tv", "t", "      ").map((l) => l.replace(/, x\)/g, ", tx)")));
        out.push(`      w.uvarint(${f.tag});`);
        out.push("      w.uvarint(t);");
        out.push(...writeValue(f, "tv", "      "));
        out.push("    }");
      }
    }
    out.push("  }");
  }
  out.push("}", "");
  return out.join("\n");
}

export function emitModule(m: Message): string {
  const body = [...m.structs, m.root].map((s) => emitStruct(m, s)).join("\n");
  const header = [
    "// Generated by `npm run gen` from the Kafka message definitions. Do not edit.",
    `// ${m.raw.name}: versions ${m.range.lo}-${m.range.hi}, flexible ${isEmpty(m.flexible) ? "none" : `${m.flexible.lo}+`}.`,
  ];
  const imports: string[] = [];
  const need = (name: string) => new RegExp(`\\b${name}\\b`).test(body);
  if (need("EncodeError")) imports.push('import { EncodeError } from "../decode-error.ts";');
  imports.push('import type { Reader } from "../reader.ts";');
  if (need("ZERO_UUID")) imports.push('import { ZERO_UUID } from "../uuid.ts";');
  const wImports = ["uvarintSize", "stringSize", "bytesSize", "recordsSize", "arrayHeaderSize"].filter(need);
  const wTypes = ["Writer", "SizeCtx", "RecordsData"].filter(need);
  if (wImports.length > 0) imports.push(`import { ${wImports.join(", ")} } from "../writer.ts";`);
  imports.push(`import type { ${wTypes.join(", ")} } from "../writer.ts";`);
  const consts = need("EMPTY") ? ["", "const EMPTY = Buffer.alloc(0);"] : [];
  return [...header, ...imports, ...consts, "", body].join("\n");
}
