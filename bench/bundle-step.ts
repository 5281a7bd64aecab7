// The BUNDLE step for the make peer: `node bundle-step.mjs <spec.json>` writes the capsule bundle the way
// Keel's in-process action does (same encoder), to the `.tmp` name the Makefile then renames into place.
// bench/build.ts bundles this file with esbuild so that make pays a bare `node` start, not tsx's.
import { readFileSync, writeFileSync } from "node:fs";
import { encodeBundle, type BundleCapsule } from "../src/image/bundle.ts";

/** What bench/makefile.ts writes next to the Makefile for the BUNDLE step. */
export interface BundleSpec {
  /** Where to write (the output's `.tmp` name). */
  out: string;
  capsules: {
    name: string;
    guestElf: string;
    /** Decimal, since JSON has no bigint. */
    ramSize: string;
    vcpus: number;
    hart: number | null;
    bootargs: string;
  }[];
}

function main(argv: readonly string[]): void {
  const file = argv[0];
  if (file === undefined || argv.length !== 1) throw new Error("usage: bundle-step <spec.json>");
  const spec = JSON.parse(readFileSync(file, "utf8")) as BundleSpec;
  const capsules: BundleCapsule[] = spec.capsules.map((c) => ({
    name: c.name,
    payload: readFileSync(c.guestElf),
    ramSize: BigInt(c.ramSize),
    vcpus: c.vcpus,
    hart: c.hart ?? undefined,
    bootargs: c.bootargs,
  }));
  writeFileSync(spec.out, encodeBundle(capsules));
}

main(process.argv.slice(2));
