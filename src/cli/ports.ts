// keel ports: every port with its description, the default marked with *. A port file that does not load
// or breaks a rule keel build applies is listed with a "!" and its problems, and the command exits 2 — the other ports are still listed.
import { defaultPortName, folderExists, listPorts, portPath } from "../port/registry.ts";
import { listImages } from "../yamlfile/files.ts";
import { loadPort } from "../port/load.ts";
import { resolvePort } from "../port/resolve.ts";
import { UserError } from "../util/errors.ts";

export interface PortsListing {
  /** One line per port, in name order. */
  lines: string[];
  /** What is wrong with the port files that did not load. */
  problems: UserError[];
}

export async function portsCommand(root: string): Promise<PortsListing> {
  const names = await listPorts(root);
  const def = await defaultPortName(root);
  const rows: string[][] = [];
  const problems: UserError[] = [];
  const images = await listImages(root);
  for (const name of names) {
    const mark = name === def ? "*" : " ";
    try {
      // The rules keel build applies too, not only the schema.
      const loaded = await loadPort(portPath(root, name));
      resolvePort(loaded, { exists: folderExists(root), images });
      rows.push([mark, name, loaded.port.description]);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      problems.push(e);
      rows.push(["!", name, `(does not load: ${e.location?.file ?? `ports/${name}.yaml`}, see below)`]);
    }
  }
  const width = Math.max(...rows.map((r) => r[1]!.length));
  return { lines: rows.map(([mark, name, desc]) => `${mark} ${name!.padEnd(width)}  ${desc}`), problems };
}
