// Images: `images/<name>.yaml` -> `ImageManifest`, with defaults applied and every problem at its line.

import path from "node:path";
import { formatSize } from "../yamlfile/scalars.ts";
import { checkSchema } from "../yamlfile/validate.ts";
import { UserError } from "../util/errors.ts";
import {
  formatPath,
  parseYaml,
  problemsError,
  readYaml,
  type Problem,
  type YamlPath,
  type YamlSource,
} from "../yamlfile/yaml.ts";
import { displayPath, listImages, nameList } from "../yamlfile/files.ts";
import { listGuests } from "./guest.ts";
import { ImageSchema, type ImageFile } from "./schema.ts";
import type { CapsuleRecord } from "../bundle/codec.ts";

/**
 * One capsule of an image, defaults applied: the bundle record's settings (CapsuleRecord, where each is
 * described), with `ram` named as the file names it and the guest it runs; colour is the image's.
 */
export interface CapsuleManifest extends Readonly<
  Required<
    Pick<
      CapsuleRecord,
      | "name"
      | "vcpus"
      | "priority"
      | "restart"
      | "restartLimit"
      | "bootargs"
      | "consoleFocus"
      | "devUart"
      | "ownsMachine"
    >
  >
> {
  readonly guest: string;
  /** Guest RAM in bytes (CapsuleRecord.ramSize), a multiple of 2 MiB (default 16 MiB). */
  readonly ram: bigint;
  readonly hart: CapsuleRecord["hart"];
  /** Sorted, or undefined for any (see `hart`). */
  readonly affinity: CapsuleRecord["affinity"];
}

/** A checked image: what goes into one bundle, in order. */
export interface ImageManifest {
  readonly name: string;
  /** The image file, as the path it was read from. */
  readonly file: string;
  readonly description: string;
  readonly capsules: readonly CapsuleManifest[];
  /** Capsule tags in colour on the console. */
  readonly colour: boolean;
}

/** What image checks may ask about the world. */
export interface ImageContext {
  /** The known guest names; each capsule's guest must be one of them. */
  guests: readonly string[];
}

/** Loads image `name` and checks its guests against guests/; a UserError listing images when there is none. */
export async function loadImage(root: string, name: string): Promise<ImageManifest> {
  const images = await listImages(root);
  if (!images.includes(name)) throw new UserError(`unknown image "${name}" (images: ${nameList(images)})`);
  const source = await readYaml(displayPath(path.join(root, "images", `${name}.yaml`)));
  return checkImage(name, source, { guests: await listGuests(root) });
}

/** Checks image text as if read from `file`; the image is named after the file. */
export function parseImage(text: string, file: string, context: ImageContext): ImageManifest {
  return checkImage(path.basename(file).replace(/\.ya?ml$/, ""), parseYaml(text, file), context);
}

function checkImage(name: string, source: YamlSource, context: ImageContext): ImageManifest {
  const checked = checkSchema(ImageSchema, source);
  if (!checked.ok) throw problemsError(source, checked.problems);
  const problems = RULES.flatMap((rule) => rule(checked.value, context, source));
  if (problems.length > 0) throw problemsError(source, problems);
  return {
    name,
    file: source.file,
    description: checked.value.description,
    capsules: checked.value.capsules.map(({ console, owns_machine, restart_limit, devices, ...c }) => ({
      ...c,
      restartLimit: restart_limit,
      hart: c.hart,
      affinity: c.affinity && [...c.affinity].sort((a, b) => a - b),
      bootargs: c.bootargs ?? "",
      consoleFocus: console === "focus",
      ownsMachine: owns_machine,
      devUart: devices?.includes("uart") ?? false,
    })),
    colour: checked.value.colour,
  };
}

type Rule = (image: ImageFile, context: ImageContext, source: YamlSource) => Problem[];

const problem = (path: YamlPath, message: string): Problem => ({
  path,
  message: `${formatPath(path)}: ${message}`,
});

const RAM_ALIGN = 2n << 20n;
/** The bundle's `hart` field is a u32 whose all-ones value means "any" (docs/design/bundle-format.md). */
const U32_ANY = 0xffffffff;

const ramIsWholeMegapages: Rule = ({ capsules }) =>
  capsules.flatMap((c, i) =>
    c.ram % RAM_ALIGN === 0n
      ? []
      : [problem(["capsules", i, "ram"], `${formatSize(c.ram)} is not a multiple of 2M`)],
  );

const namesUnique: Rule = ({ capsules }, _context, source) =>
  capsules.flatMap((c, i) => {
    const first = capsules.findIndex((d) => d.name === c.name);
    if (first === i) return [];
    const line = source.locate(["capsules", first, "name"]).line;
    return [
      problem(["capsules", i, "name"], `duplicate capsule name "${c.name}" (first used on line ${line})`),
    ];
  });

const guestsKnown: Rule = ({ capsules }, { guests }) =>
  capsules.flatMap((c, i) =>
    guests.includes(c.guest)
      ? []
      : [problem(["capsules", i, "guest"], `no guest "${c.guest}" (guests: ${nameList(guests)})`)],
  );

const fieldsFitBundle: Rule = ({ capsules }) =>
  capsules.flatMap((c, i) => [
    ...(c.hart !== undefined && c.hart >= U32_ANY
      ? [problem(["capsules", i, "hart"], `hart ${c.hart} is too large`)]
      : []),
    ...(c.vcpus > U32_ANY ? [problem(["capsules", i, "vcpus"], `${c.vcpus} vCPUs is too many`)] : []),
    ...(c.bootargs?.includes("\0")
      ? [problem(["capsules", i, "bootargs"], "bootargs may not contain a NUL character")]
      : []),
  ]);

/** The bundle's affinity is a 64-bit mask (docs/design/bundle-format.md). */
const AFFINITY_HARTS = 64;

/** The bundle's restart_limit is a u16 (docs/design/bundle-format.md). */
const restartLimitFits: Rule = ({ capsules }) =>
  capsules.flatMap((c, i) =>
    c.restart_limit <= 0xffff
      ? []
      : [problem(["capsules", i, "restart_limit"], `${c.restart_limit} is more than 65535`)],
  );

const affinityFits: Rule = ({ capsules }) =>
  capsules.flatMap((c, i) => {
    if (c.affinity === undefined) return [];
    const at = ["capsules", i, "affinity"] as YamlPath;
    if (c.hart !== undefined) return [problem(at, "give either hart or affinity, not both")];
    return c.affinity.flatMap((h, j) => [
      ...(h >= AFFINITY_HARTS
        ? [problem([...at, j], `hart ${h} is too large (at most ${AFFINITY_HARTS - 1})`)]
        : []),
      ...(c.affinity!.indexOf(h) !== j ? [problem([...at, j], `hart ${h} is listed twice`)] : []),
    ]);
  });

/** One capsule at most may own the machine, and one at most may have the console's focus first. */
const atMostOne =
  (field: "owns_machine" | "console", what: string): Rule =>
  ({ capsules }) => {
    const marked = capsules.flatMap((c, i) => (c[field] === undefined || c[field] === false ? [] : [i]));
    return marked
      .slice(1)
      .map((i) =>
        problem(["capsules", i, field], `only one capsule may ${what} (capsules[${marked[0]}] already does)`),
      );
  };

const RULES: readonly Rule[] = [
  ramIsWholeMegapages,
  namesUnique,
  guestsKnown,
  fieldsFitBundle,
  affinityFits,
  restartLimitFits,
  atMostOne("owns_machine", "own the machine"),
  atMostOne("console", "have the console focus"),
];
