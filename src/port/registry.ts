// Where ports live: `ports/<name>.yaml` (drop a file in to add a port), the default named in
// `ports/default.yaml`, and loading a port by name all the way to a `ResolvedPort`.

import { statSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { displayPath, listImages, nameList, yamlNames } from "../yamlfile/files.ts";
import { UserError } from "../util/errors.ts";
import { problemsError, readYaml } from "../yamlfile/yaml.ts";
import { loadPort } from "./load.ts";
import { resolvePort, type ResolvedPort } from "./resolve.ts";
import { folderName } from "../yamlfile/scalars.ts";
import { checkSchema } from "../yamlfile/validate.ts";

const DEFAULT_FILE = "default";

/** Names of the ports in `<root>/ports/`, sorted (default.yaml is not a port). */
export function listPorts(root: string): Promise<string[]> {
  return yamlNames(path.join(root, "ports"), [DEFAULT_FILE]);
}

/** The path of port `name`'s file (which need not exist). */
export function portPath(root: string, name: string): string {
  return displayPath(path.join(root, "ports", `${name}.yaml`));
}

const DefaultSchema = z.strictObject({ default: folderName("The port used when none is named.") });

/** The port named by `ports/default.yaml` (`default: qemu-virt`); it must exist. */
export async function defaultPortName(root: string): Promise<string> {
  const source = await readYaml(portPath(root, DEFAULT_FILE));
  const checked = checkSchema(DefaultSchema, source);
  if (!checked.ok) throw problemsError(source, checked.problems);
  const ports = await listPorts(root);
  const name = checked.value.default;
  if (!ports.includes(name)) {
    throw problemsError(source, [
      { path: ["default"], message: `default: no port "${name}" (ports: ${nameList(ports)})` },
    ]);
  }
  return name;
}

/** The file of port `name`; a UserError listing the available ports when there is none. */
export async function findPort(root: string, name: string): Promise<string> {
  const ports = await listPorts(root);
  if (!ports.includes(name)) throw new UserError(`unknown port "${name}" (ports: ${nameList(ports)})`);
  return portPath(root, name);
}

/** Does `<root>/<repoPath>` exist as a folder? The real-world answer for `ResolveContext.exists`. */
export function folderExists(root: string): (repoPath: string) => boolean {
  return (repoPath) => statSync(path.join(root, repoPath), { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** Finds, loads, checks and resolves port `name` (the default port when undefined). */
export async function loadPortByName(root: string, name?: string): Promise<ResolvedPort> {
  const file = await findPort(root, name ?? (await defaultPortName(root)));
  const loaded = await loadPort(file);
  return resolvePort(loaded, { exists: folderExists(root), images: await listImages(root) });
}
