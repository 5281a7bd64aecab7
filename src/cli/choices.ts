// The choices `keel build -h` and `keel run -h` list (issue 12), read from the same registries the build uses:
// the ports (ports/*.yaml), the images (images/*.yaml), the optimize modes and the hypervisor
// configurations (configs/*_defconfig); the -D options themselves are in the usage text (usage.ts). The I/O is here; rendering them is pure (renderChoices).
import { listConfigs } from "../build/hvconfig.ts";
import { OPTIMIZE_MODES } from "../build/metadata.ts";
import { loadImage } from "../manifest/image.ts";
import { loadPort } from "../port/load.ts";
import { defaultPortName, listPorts, portPath } from "../port/registry.ts";
import { UserError } from "../util/errors.ts";
import { listImages } from "../yamlfile/files.ts";

export interface Choice {
  name: string;
  description: string;
}

export interface Choices {
  ports: Choice[];
  defaultPort: string | undefined;
  images: Choice[];
  optimize: readonly string[];
  configs: readonly string[];
}

/** A file that does not load is still listed, saying so (keel ports shows why). */
async function described(name: string, load: () => Promise<string>): Promise<Choice> {
  try {
    return { name, description: await load() };
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { name, description: `(does not load: ${e.headline})` };
  }
}

export async function gatherChoices(root: string): Promise<Choices> {
  const ports = await Promise.all(
    (await listPorts(root)).map((n) =>
      described(n, async () => (await loadPort(portPath(root, n))).port.description),
    ),
  );
  const images = await Promise.all(
    (await listImages(root)).map((n) => described(n, async () => (await loadImage(root, n)).description)),
  );
  let defaultPort: string | undefined;
  try {
    defaultPort = await defaultPortName(root);
  } catch {
    defaultPort = undefined;
  }
  return { ports, defaultPort, images, optimize: OPTIMIZE_MODES, configs: listConfigs(root) };
}

/** The lists, as help text (pure). */
export function renderChoices(c: Choices): string {
  const table = (rows: readonly Choice[], mark: (n: string) => string): string[] => {
    const width = Math.max(0, ...rows.map((r) => r.name.length));
    return rows.map((r) => `  ${mark(r.name)}${r.name.padEnd(width)}  ${r.description}`);
  };
  return [
    `Ports (-Dsystem=; * is the default, ports/default.yaml):`,
    ...table(c.ports, (n) => (n === c.defaultPort ? "* " : "  ")),
    "",
    `Images (-Dimage=; the default is the port's default_image):`,
    ...table(c.images, () => ""),
    "",
    `Optimize modes (-Doptimize=): ${c.optimize.join(", ")}`,
    `Configurations (-Dconfig=): ${c.configs.join(", ")}`,
  ].join("\n");
}
