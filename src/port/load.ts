// Port file -> checked `PortFile`: YAML syntax, schema and file-name rule, every problem at file:line:col.

import path from "node:path";
import { parseYaml, problemsError, readYaml, type Problem, type YamlSource } from "../yamlfile/yaml.ts";
import { PortSchema, type PortFile } from "./schema.ts";
import { checkSchema } from "../yamlfile/validate.ts";

/** A port file that passed the schema, with its source kept for placing later problems. */
export interface LoadedPort {
  readonly source: YamlSource;
  readonly port: PortFile;
}

/** Reads and checks a port file; throws one UserError listing every problem. */
export async function loadPort(file: string): Promise<LoadedPort> {
  return checkPort(await readYaml(file));
}

/** Checks port text as if read from `file` (whose base name the port's `name` must match). */
export function parsePort(text: string, file: string): LoadedPort {
  return checkPort(parseYaml(text, file));
}

function checkPort(source: YamlSource): LoadedPort {
  const checked = checkSchema(PortSchema, source);
  const problems: Problem[] = checked.ok ? [] : [...checked.problems];

  // Checked even when the schema failed, so one run reports both.
  const expected = path.basename(source.file).replace(/\.ya?ml$/, "");
  const raw = source.value as { name?: unknown } | null;
  if (typeof raw?.name === "string" && raw.name !== expected) {
    problems.push({
      path: ["name"],
      message: `name: port "${raw.name}" is in ${path.basename(source.file)}; name it "${expected}" or rename the file`,
    });
  }

  if (problems.length > 0 || !checked.ok) throw problemsError(source, problems);
  return { source, port: checked.value };
}
