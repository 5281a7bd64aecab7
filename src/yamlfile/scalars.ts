// Field types shared by port and image files: addresses, sizes, counts and names, each with its JSON Schema.
//
// YAML integers arrive as bigints (see src/yamlfile/yaml.ts). Addresses and sizes stay bigint; counts become
// numbers. Each type is `unknown -> checked value` so the message can say what was expected in the words a
// port author uses, and carries hand-written JSON Schema metadata for editors.

import { z } from "zod";

const U64_LIMIT = 1n << 64n;
const SIZE_UNITS: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n };

/** The message of a zod issue that means "this required field is absent" (reworded in validate.ts). */
export const MISSING = "\u0000missing";

/** `256M` -> 268435456n, `16K`, `1G`, `4096`, `0x1000`; undefined when the text is not a size. */
export function parseSizeString(text: string): bigint | undefined {
  // Same language as the JSON Schema pattern in `size` below.
  const m = /^(?:(0x[0-9a-fA-F]+)|([0-9]+) *([KMGkmg])?)$/.exec(text);
  if (!m) return undefined;
  if (m[1]) return BigInt(m[1]);
  return BigInt(m[2] as string) * (m[3] ? (SIZE_UNITS[m[3].toUpperCase()] as bigint) : 1n);
}

/** The largest exact unit: 268435456n -> `256M`, 16384n -> `16K`, 100n -> `100`. */
export function formatSize(bytes: bigint): string {
  for (const unit of ["G", "M", "K"]) {
    const scale = SIZE_UNITS[unit] as bigint;
    if (bytes !== 0n && bytes % scale === 0n) return `${bytes / scale}${unit}`;
  }
  return String(bytes);
}

/** `0x80000000`: lower-case hex, as written in headers and messages. */
export function hex(value: bigint): string {
  return `0x${value.toString(16)}`;
}

/** How a YAML value reads in a message: `a string ("ten")`, `an integer (3)`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "bigint") return `an integer (${value})`;
  if (typeof value === "number")
    return Number.isInteger(value) ? `an integer (${value})` : `a number (${value})`;
  if (typeof value === "string") return `a string (${JSON.stringify(value)})`;
  if (typeof value === "boolean") return `a boolean (${value})`;
  if (Array.isArray(value)) return "a list";
  return "a mapping";
}

type Check<T> = (value: unknown) => { ok: T } | { error: string };

/** A scalar field: `check` turns the raw YAML value into `T` or says what is wrong with it. */
function scalar<T>(check: Check<T>, jsonSchema: Record<string, unknown>) {
  return z
    .unknown()
    .transform((value, ctx): T => {
      if (value === undefined) {
        ctx.addIssue({ code: "custom", message: MISSING });
        return z.NEVER;
      }
      const result = check(value);
      if ("ok" in result) return result.ok;
      ctx.addIssue({ code: "custom", message: result.error });
      return z.NEVER;
    })
    .meta(jsonSchema);
}

function asInteger(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  return undefined;
}

/** A 64-bit physical address: an integer (`0x80000000` in YAML is one) or a `"0x..."` string. */
export function address(description: string) {
  return scalar<bigint>(
    (value) => {
      const n =
        asInteger(value) ??
        (typeof value === "string" && /^0x[0-9a-fA-F]+$/.test(value) ? BigInt(value) : undefined);
      if (n === undefined)
        return { error: `expected an address (an integer or "0x..."), got ${describeValue(value)}` };
      if (n < 0n || n >= U64_LIMIT) return { error: `address ${value} does not fit in 64 bits` };
      return { ok: n };
    },
    {
      description,
      anyOf: [
        { type: "integer", minimum: 0 },
        { type: "string", pattern: "^0x[0-9a-fA-F]+$" },
      ],
    },
  );
}

/** A size in bytes: an integer or a string with a K, M or G suffix (powers of 1024), e.g. `256M`. */
export function size(description: string) {
  return scalar<bigint>(
    (value) => {
      const n = asInteger(value) ?? (typeof value === "string" ? parseSizeString(value) : undefined);
      if (n === undefined) {
        const what =
          typeof value === "string" ? `bad size ${JSON.stringify(value)}` : `got ${describeValue(value)}`;
        return { error: `${what}: expected bytes as an integer or with K, M or G (e.g. 256M, 16K, 0x1000)` };
      }
      if (n <= 0n) return { error: `size must be greater than 0, got ${value}` };
      if (n >= U64_LIMIT) return { error: `size ${value} does not fit in 64 bits` };
      return { ok: n };
    },
    {
      description,
      anyOf: [
        { type: "integer", minimum: 1 },
        { type: "string", pattern: "^([0-9]+ *[KMGkmg]?|0x[0-9a-fA-F]+)$" },
      ],
    },
  );
}

/** A small integer (hart count, IRQ number) with a lower bound, as a JavaScript number. */
export function count(description: string, minimum = 0) {
  return scalar<number>(
    (value) => {
      const n = asInteger(value);
      if (n === undefined) return { error: `expected an integer, got ${describeValue(value)}` };
      if (n < BigInt(minimum)) return { error: `must be at least ${minimum}, got ${n}` };
      if (n > BigInt(Number.MAX_SAFE_INTEGER)) return { error: `${n} is too large` };
      return { ok: Number(n) };
    },
    { description, type: "integer", minimum },
  );
}

/** A C preprocessor value: an integer (emitted as a number) or a string (emitted as a C string literal). */
export function defineValue(description: string) {
  return scalar<bigint | string>(
    (value) => {
      const n = asInteger(value);
      if (n !== undefined) return { ok: n };
      if (typeof value === "string") return { ok: value };
      return { error: `expected an integer or a string, got ${describeValue(value)}` };
    },
    { description, type: ["integer", "string"] },
  );
}

/** A name that is also a folder or file name: lower case, digits, `-` and `_`, starting with a letter. */
export function folderName(description: string) {
  return z
    .string()
    .regex(/^[a-z][a-z0-9_-]*$/, {
      error: "expected lower-case letters, digits, - or _, starting with a letter",
    })
    .meta({ description });
}
