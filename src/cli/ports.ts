// keel ports: every port with its description, the default marked with *.
import { defaultPortName, listPorts, portPath } from "../port/registry.ts";
import { loadPort } from "../port/load.ts";

export async function portsCommand(root: string): Promise<string[]> {
  const names = await listPorts(root);
  const def = await defaultPortName(root);
  const rows: string[][] = [];
  for (const name of names) {
    const loaded = await loadPort(portPath(root, name));
    rows.push([name === def ? "*" : " ", name, loaded.port.description]);
  }
  const width = Math.max(...rows.map((r) => r[1]!.length));
  return rows.map(([mark, name, desc]) => `${mark} ${name!.padEnd(width)}  ${desc}`);
}
