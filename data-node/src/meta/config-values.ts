// Config value types and checks as Kafka's ConfigDef has them: a value is parsed by its type, then
// checked by its rule. Parsing also yields the canonical text chronik stores (trimmed, lists joined
// by ","), so every reader of a stored value sees one spelling.

export type ConfigType = "boolean" | "string" | "int" | "short" | "long" | "double" | "list";

export type ParsedValue = boolean | string | bigint | number | string[];

// What values a config accepts, as a sentence fragment for error messages ("at least 1").
export interface Rule {
  allowed: string;
  test(v: ParsedValue): boolean;
}

const INTEGER_BOUNDS: Partial<Record<ConfigType, [bigint, bigint]>> = {
  short: [-(2n ** 15n), 2n ** 15n - 1n],
  int: [-(2n ** 31n), 2n ** 31n - 1n],
  long: [-(2n ** 63n), 2n ** 63n - 1n],
};

// Java's Double.parseDouble accepts more spellings; these are the ones a config file uses.
const DOUBLE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

// The parsed value and its canonical text, or undefined when the text is not of the type.
export function parseValue(
  type: ConfigType,
  text: string,
): { value: ParsedValue; canonical: string } | undefined {
  const t = text.trim();
  switch (type) {
    case "boolean": {
      const lower = t.toLowerCase();
      if (lower !== "true" && lower !== "false") return undefined;
      return { value: lower === "true", canonical: lower };
    }
    case "string":
      return { value: t, canonical: t };
    case "short":
    case "int":
    case "long": {
      if (!/^[+-]?\d+$/.test(t)) return undefined;
      const n = BigInt(t);
      const [min, max] = INTEGER_BOUNDS[type] as [bigint, bigint];
      if (n < min || n > max) return undefined;
      return { value: n, canonical: n.toString() };
    }
    case "double": {
      if (!DOUBLE.test(t)) return undefined;
      const n = Number(t);
      return Number.isFinite(n) ? { value: n, canonical: String(n) } : undefined;
    }
    case "list": {
      const items = t === "" ? [] : t.split(/\s*,\s*/);
      return { value: items, canonical: items.join(",") };
    }
  }
}

export const atLeast = (min: bigint | number): Rule => ({
  allowed: `at least ${min}`,
  test: (v) => (v as bigint | number) >= min,
});

export const between = (min: bigint | number, max: bigint | number): Rule => ({
  allowed: `between ${min} and ${max}`,
  test: (v) => (v as bigint | number) >= min && (v as bigint | number) <= max,
});

export const oneOf = (...values: string[]): Rule => ({
  allowed: `one of ${values.join(", ")}`,
  test: (v) => values.includes(v as string),
});

export const eachOneOf = (...values: string[]): Rule => ({
  allowed: `a comma-separated list of ${values.join(", ")}`,
  test: (v) => (v as string[]).every((x) => values.includes(x)),
});

export const either = (a: Rule, b: Rule): Rule => ({
  allowed: `${a.allowed}, or ${b.allowed}`,
  test: (v) => a.test(v) || b.test(v),
});
