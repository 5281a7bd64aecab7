// Image and guest files as their authors write them: `images/<name>.yaml` and `guests/<name>/guest.yaml`.
//
// images/schema/image.schema.json is generated from ImageSchema (scripts/gen-schema.ts); the descriptions
// here are what editors show. docs/ports.md documents the fields.

import { z } from "zod";
import { count, folderName, size } from "../port/scalars.ts";

/** Capsule names fill a 32-byte NUL-padded field of the bundle (docs/design/bundle-format.md). */
export const CAPSULE_NAME_MAX = 31;

const capsule = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, {
        error: "expected letters, digits, - or _, starting with a letter or _",
      })
      .max(CAPSULE_NAME_MAX)
      .meta({
        description: `Capsule name, unique in the image, at most ${CAPSULE_NAME_MAX} characters; tags its console lines.`,
      }),
    guest: folderName("Guest to run: a folder guests/<guest>/ with a guest.yaml."),
    ram: size("Guest RAM at guest-physical 0x80000000, a multiple of 2M.").prefault("16M"),
    vcpus: count("Number of virtual harts.", 1).prefault(1),
    hart: count("Physical hart to pin the capsule to; any hart when absent.", 0).optional(),
    bootargs: z
      .string()
      .optional()
      .meta({ description: "Command line handed to the guest (its device tree's /chosen/bootargs)." }),
  })
  .meta({ description: "One isolated guest instance." });

export const ImageSchema = z
  .strictObject({
    description: z.string().min(1).meta({ description: "One line saying what this image shows or tests." }),
    capsules: z
      .array(capsule)
      .min(1)
      .meta({ description: "The capsules the hypervisor starts, in this order." }),
  })
  .meta({
    title: "Keel image",
    description: "An image: the capsules bundled into one Keel ELF. See docs/ports.md.",
  });

export const GuestSchema = z
  .strictObject({
    description: z.string().min(1).meta({ description: "One line saying what the guest does." }),
    kind: z
      .literal("source")
      .meta({ description: "How the guest is built: source = compiled from this folder." }),
  })
  .meta({ title: "Keel guest", description: "A guest program: guests/<name>/guest.yaml." });

/** An image file as written, after the schema check. */
export type ImageFile = z.output<typeof ImageSchema>;
/** A guest file as written, after the schema check. */
export type GuestFile = z.output<typeof GuestSchema>;
