// C number parsing as Kconfig uses it (strtoll/strtoull with their quirks), on 64-bit BigInts.

const LLONG_MAX = (1n << 63n) - 1n;
const LLONG_MIN = -(1n << 63n);
const ULLONG_MAX = (1n << 64n) - 1n;

export interface Parsed {
  value: bigint;
  /** Index just after the last character used; 0 when no number was found. */
  end: number;
  overflow: boolean;
}

/** strtoll/strtoull: whitespace, sign, 0x prefix (base 16 or 0), octal for a leading 0 in base 0. */
export function strtol(s: string, base: number, unsigned = false): Parsed {
  let i = 0;
  while (i < s.length && /[ \t\n\v\f\r]/.test(s[i]!)) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  const hexDigit = (c: string | undefined): boolean => c !== undefined && /[0-9a-fA-F]/.test(c);
  if (
    (base === 0 || base === 16) &&
    s[i] === "0" &&
    (s[i + 1] === "x" || s[i + 1] === "X") &&
    hexDigit(s[i + 2])
  ) {
    i += 2;
    base = 16;
  } else if (base === 0) base = s[i] === "0" ? 8 : 10;
  const start = i;
  let v = 0n;
  const b = BigInt(base);
  for (; i < s.length; i++) {
    const d = parseInt(s[i]!, 36);
    if (Number.isNaN(d) || d >= base) break;
    v = v * b + BigInt(d);
  }
  if (i === start) return { value: 0n, end: 0, overflow: false };
  let overflow = false;
  if (unsigned) {
    if (v > ULLONG_MAX) {
      overflow = true;
      v = ULLONG_MAX;
    } else if (neg) v = BigInt.asUintN(64, -v);
  } else {
    if (neg) v = -v;
    if (v > LLONG_MAX) {
      overflow = true;
      v = LLONG_MAX;
    } else if (v < LLONG_MIN) {
      overflow = true;
      v = LLONG_MIN;
    }
  }
  return { value: v, end: i, overflow };
}

export type Kind = "string" | "signed" | "unsigned";

/** expr_parse_string: how a comparison reads one side, by the symbol's type. */
export function parseForCompare(str: string, type: string): { kind: Kind; value: bigint } {
  if (type === "bool" || type === "tristate") {
    const v = str === "n" ? 0n : str === "m" ? 1n : str === "y" ? 2n : -1n;
    return { kind: "signed", value: v };
  }
  const base = type === "int" ? 10 : type === "hex" ? 16 : 0;
  const r = strtol(str, base, type === "hex");
  const kind: Kind = type === "hex" ? "unsigned" : "signed";
  const ok = !r.overflow && r.end === str.length && r.end > 0 && /[0-9a-fA-F]/.test(str[r.end - 1]!);
  return ok ? { kind, value: r.value } : { kind: "string", value: 0n };
}
