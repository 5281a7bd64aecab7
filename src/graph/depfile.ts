// A parser for the make-style dependency files gcc and clang write with -MD/-MMD (POSIX paths only).
import { UserError } from "../util/errors.ts";

/** `targets: deps` — one rule. gcc -MP adds rules with a header as target and no deps. */
export interface DepRule {
  targets: string[];
  deps: string[];
}

/**
 * Parses a depfile. Escapes follow what gcc writes and ninja reads:
 * `\ ` is a space in a name (2N+1 backslashes + space = N backslashes + space; 2N backslashes + space = 2N
 * backslashes, then the name ends), `\#` is `#`, `$$` is `$`, backslash-newline continues the line, other
 * backslashes are literal, an unescaped `#` starts a comment. A `:` ends the targets when followed by
 * whitespace or the end of the line.
 */
export function parseDepfile(text: string, file = "<depfile>"): DepRule[] {
  const rules: DepRule[] = [];
  let targets: string[] = [];
  let deps: string[] = [];
  let sawColon = false;
  let name = "";
  let inName = false;
  let line = 1;
  let lineStart = 0;
  let i = 0;

  const endName = (): void => {
    if (!inName) return;
    (sawColon ? deps : targets).push(name);
    name = "";
    inName = false;
  };
  const add = (s: string): void => {
    name += s;
    inName = true;
  };
  const endRule = (): void => {
    endName();
    if (targets.length > 0 || deps.length > 0) {
      if (!sawColon) {
        throw new UserError("depfile: expected ':' after the targets", {
          location: { file, line, col: i - lineStart + 1 },
        });
      }
      rules.push({ targets, deps });
    }
    targets = [];
    deps = [];
    sawColon = false;
  };
  const newline = (at: number): void => {
    line++;
    lineStart = at + 1;
  };

  while (i < text.length) {
    const c = text[i] ?? "";
    if (c === "\\") {
      let n = 0;
      while (text[i + n] === "\\") n++;
      const next = text[i + n];
      const nl = next === "\n" ? 1 : next === "\r" && text[i + n + 1] === "\n" ? 2 : 0;
      if (next === " " || next === "#") {
        if (n % 2 === 1) {
          add("\\".repeat((n - 1) / 2) + next);
          i += n + 1;
        } else {
          add("\\".repeat(n));
          i += n; // the space ends the name, the `#` starts a comment
        }
      } else if (nl > 0) {
        if (n > 1) add("\\".repeat(n - 1));
        endName();
        i += n + nl;
        newline(i - 1);
      } else {
        add("\\".repeat(n));
        i += n;
      }
    } else if (c === "$") {
      add("$");
      i += text[i + 1] === "$" ? 2 : 1;
    } else if (c === "#") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "\n") {
      endRule();
      newline(i);
      i++;
    } else if (c === " " || c === "\t" || c === "\r") {
      endName();
      i++;
    } else if (c === ":" && !sawColon && /^[ \t\r\n]?$/.test(text[i + 1] ?? "")) {
      endName();
      if (targets.length === 0) {
        throw new UserError("depfile: ':' without a target", {
          location: { file, line, col: i - lineStart + 1 },
        });
      }
      sawColon = true;
      i++;
    } else {
      add(c);
      i++;
    }
  }
  endRule();
  return rules;
}

/** Every dependency named in the file, once each, in order of first mention. */
export function depfileDeps(rules: readonly DepRule[]): string[] {
  return [...new Set(rules.flatMap((r) => r.deps))];
}
