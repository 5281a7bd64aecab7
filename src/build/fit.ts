// Does an image fit the port and the hypervisor configuration it is built for? Checked at build time (issue
// 12), so that what the hypervisor would refuse at boot (`capsule x: failed (20 vCPUs asked, at most 8)`) or
// a machine that could never print or power off is reported at the image file's line, before anything runs.
// Pure: the image, its YAML source (for locations) and the facts in; errors and warnings out.
import { formatSize } from "../yamlfile/scalars.ts";
import type { ImageManifest } from "../manifest/image.ts";
import { formatPath, type Problem, type YamlPath } from "../yamlfile/yaml.ts";

/** What the image is checked against. */
export interface FitFacts {
  port: string;
  harts: number;
  dramSize: bigint;
  /** A hypervisor configuration symbol's value ("y", "8", ...), undefined when it does not exist. */
  value: (symbol: string) => string | undefined;
  /** The SBI extensions compiled in (Kbuild sbi-ext names: base, srst, dbcn, legacy_putchar, ...). */
  sbiExts: readonly string[];
}

export interface FitReport {
  /** The image cannot run as built: the build stops. */
  errors: Problem[];
  /** It runs, but something users would miss is absent. */
  warnings: Problem[];
}

const at = (path: YamlPath, message: string): Problem => ({
  path,
  message: path.length > 0 ? `${formatPath(path)}: ${message}` : message,
});

export function imageFit(image: ImageManifest, f: FitFacts): FitReport {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const num = (s: string): number | undefined => {
    const v = f.value(s);
    return v === undefined ? undefined : Number(v);
  };
  const maxCapsules = num("MAX_CAPSULES");
  if (maxCapsules !== undefined && image.capsules.length > maxCapsules)
    errors.push(
      at(
        ["capsules"],
        `${image.capsules.length} capsules, the hypervisor configuration allows at most ${maxCapsules} (CONFIG_MAX_CAPSULES)`,
      ),
    );
  const maxVcpus = num("MAX_VCPUS");
  const hsm = f.sbiExts.includes("hsm");
  const maxHarts = Math.min(f.harts, num("MAX_HARTS") ?? f.harts);
  const harts = maxHarts === 1 ? "hart 0" : `harts 0-${maxHarts - 1}`;
  let total = 0n;
  image.capsules.forEach((c, i) => {
    if (maxVcpus !== undefined && c.vcpus > maxVcpus)
      errors.push(
        at(
          ["capsules", i, "vcpus"],
          `${c.vcpus} vCPUs, the hypervisor configuration allows at most ${maxVcpus} (CONFIG_MAX_VCPUS)`,
        ),
      );
    else if (c.vcpus > 1 && !hsm)
      errors.push(
        at(
          ["capsules", i, "vcpus"],
          `${c.vcpus} vCPUs need SBI HSM, which the hypervisor configuration leaves out (CONFIG_SBI_HSM)`,
        ),
      );
    if (c.hart !== undefined && c.hart >= maxHarts)
      errors.push(at(["capsules", i, "hart"], `hart ${c.hart}, but ${f.port} runs capsules on ${harts}`));
    c.affinity?.forEach((h, j) => {
      if (h >= maxHarts)
        errors.push(at(["capsules", i, "affinity", j], `hart ${h}, but ${f.port} runs capsules on ${harts}`));
    });
    total += c.ram;
    if (total > f.dramSize && total - c.ram <= f.dramSize)
      errors.push(
        at(
          ["capsules", i, "ram"],
          `the capsules' RAM reaches ${formatSize(total)} here, more than ${f.port}'s ${formatSize(f.dramSize)} of DRAM`,
        ),
      );
  });
  const uartOnly = image.capsules.every((c) => c.devUart);
  if (!uartOnly && !f.sbiExts.includes("dbcn") && !f.sbiExts.includes("legacy_putchar"))
    warnings.push(
      at(
        [],
        "the hypervisor configuration has neither SBI DBCN nor the legacy console (CONFIG_SBI_DBCN, CONFIG_SBI_LEGACY): its capsules cannot print",
      ),
    );
  if (!f.sbiExts.includes("srst") && !f.sbiExts.includes("legacy_shutdown"))
    warnings.push(
      at(
        [],
        "the hypervisor configuration has neither SBI SRST nor the legacy shutdown (CONFIG_SBI_SRST, CONFIG_SBI_LEGACY): no capsule can end, so QEMU never exits by itself",
      ),
    );
  return { errors, warnings };
}
