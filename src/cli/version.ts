// keel --version: the version in package.json and the commit of the checkout, as the banner shows them.
import { captureMetadata, keelVersion } from "../build/metadata.ts";
import { probeRun } from "../toolchain/probe.ts";

export async function versionLine(root: string): Promise<string> {
  const m = await captureMetadata(probeRun, root, process.env, {
    version: keelVersion(root),
    port: "",
    optimize: "Debug",
  });
  return `keel ${m.version} (commit ${m.commit}${m.dirty ? "-dirty" : ""})`;
}
