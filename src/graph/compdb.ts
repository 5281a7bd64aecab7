// compile_commands.json for editors and clangd: one entry per step that has a `source`, with final output names.
import { sha256 } from "./hash.ts";
import type { ActionStep, Step } from "./graph.ts";
import { tmp } from "./graph.ts";

/** One entry of the JSON Compilation Database format (clang.llvm.org/docs/JSONCompilationDatabase.html). */
export interface CompdbEntry {
  directory: string;
  file: string;
  arguments: string[];
  output: string;
}

/**
 * The entries, in step order. Arguments naming `tmp(output)` (whole or as a suffix, as in `-Wl,-Map=x.tmp`)
 * name the output itself, since that is what a person or tool rerunning the command expects.
 */
export function compileCommands(steps: readonly Step[], outDir: string): CompdbEntry[] {
  const entries: CompdbEntry[] = [];
  for (const step of steps) {
    if (step.source === undefined || step.command === undefined) continue;
    const args = step.command.map((arg) => {
      for (const out of step.outputs) {
        if (arg.endsWith(tmp(out))) return arg.slice(0, arg.length - tmp(out).length) + out;
      }
      return arg;
    });
    entries.push({
      directory: step.cwd ?? outDir,
      file: step.source,
      arguments: args,
      output: step.outputs[0] ?? "",
    });
  }
  return entries;
}

/** The file's text: stable formatting so an unchanged database is byte-identical. */
export function compdbText(entries: readonly CompdbEntry[]): string {
  return `${JSON.stringify(entries, null, 2)}\n`;
}

/** A GEN step writing compile_commands.json; its identity is the content, so it reruns only when that changes. */
export function compdbStep(steps: readonly Step[], outDir: string, file: string): ActionStep {
  const text = compdbText(compileCommands(steps, outDir));
  return {
    id: `compdb:${file}`,
    kind: "GEN",
    label: "compile_commands.json",
    inputs: [],
    outputs: [file],
    identity: [sha256(text)],
    action: (ctx) => ctx.writeOutput(file, text),
  };
}
