// The BUNDLE step for the make peer: `node bundle-step.mjs <spec.json>` writes the capsule bundle exactly as
// Keel's in-process action does (the same encodeImageBundle), to the `.tmp` name the Makefile then renames.
// bench/build.ts bundles this file with esbuild so that make pays a bare `node` start, not tsx's.
import { readFileSync, writeFileSync } from "node:fs";
import { encodeImageBundle, type CapsuleSpec } from "../src/build/image.ts";

/** What bench/build.ts writes next to the Makefile for the BUNDLE step. */
export interface BundleSpec {
  /** Where to write (the output's `.tmp` name). */
  out: string;
  /** The planned capsules, with `ramSize` as a decimal string since JSON has no bigint. */
  capsules: (Omit<CapsuleSpec, "ramSize"> & { ramSize: string })[];
}

/** The spec for a plan's capsules. */
export function bundleSpec(out: string, capsules: readonly CapsuleSpec[]): BundleSpec {
  return { out, capsules: capsules.map((c) => ({ ...c, ramSize: c.ramSize.toString() })) };
}

async function main(argv: readonly string[]): Promise<void> {
  const file = argv[0];
  if (file === undefined || argv.length !== 1) throw new Error("usage: bundle-step <spec.json>");
  const spec = JSON.parse(readFileSync(file, "utf8")) as BundleSpec;
  const capsules: CapsuleSpec[] = spec.capsules.map((c) => ({ ...c, ramSize: BigInt(c.ramSize) }));
  writeFileSync(spec.out, await encodeImageBundle(capsules, async (f) => readFileSync(f)));
}

if (process.argv[1]?.endsWith("bundle-step.mjs")) await main(process.argv.slice(2));
