// Image and guest files as their authors write them: `images/<name>.yaml` and `guests/<name>/guest.yaml`.
//
// images/schema/image.schema.json is generated from ImageSchema (scripts/gen-schema.ts); the descriptions
// here are what editors show. docs/ports.md documents the fields.

import { z } from "zod";
import { address, count, folderName, size } from "../yamlfile/scalars.ts";

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
    vcpus: count(
      "Number of virtual harts (vCPUs); vCPU 0 boots, the others start through SBI HSM.",
      1,
    ).prefault(1),
    hart: count(
      "Physical hart to pin the capsule to; any hart when absent. Same as affinity: [hart].",
      0,
    ).optional(),
    affinity: z
      .array(count("A physical hart id.", 0))
      .min(1)
      .optional()
      .meta({ description: "Physical harts the capsule's vCPUs may run on; every hart when absent." }),
    priority: z.enum(["normal", "high"]).prefault("normal").meta({
      description: "Scheduling priority: a runnable high-priority vCPU always runs before a normal one.",
    }),
    bootargs: z
      .string()
      .optional()
      .meta({ description: "Command line handed to the guest (its device tree's /chosen/bootargs)." }),
    console: z.enum(["focus"]).optional().meta({
      description:
        "focus = console input goes to this capsule first (default: the first capsule). Ctrl-] then a digit moves it.",
    }),
    devices: z
      .array(z.enum(["uart"]))
      .optional()
      .meta({
        description:
          "Emulated devices: uart = an ns16550a at 0x10000000 (the capsule's console line and input) with a PLIC at 0x0c000000 for its interrupt, in its device tree with /chosen/stdout-path. None by default (the capsule is killed for touching those addresses).",
      }),
    restart: z.enum(["never", "on-crash", "always"]).prefault("never").meta({
      description:
        "When the hypervisor boots the capsule again by itself, from its pristine payload with its RAM scrubbed: never, on-crash (it failed or was killed), always (also after its own clean shutdown). At most restart_limit times.",
    }),
    restart_limit: count("How many restarts the restart policy allows (at most 65535).", 0).prefault(3),
    owns_machine: z.boolean().prefault(false).meta({
      description:
        "The capsule is the machine (a root VM): its SRST shutdown ends every capsule and powers off, its reboot restarts the image, and it may stop, start and restart the others (docs/design/keel-sbi.md). At most one.",
    }),
  })
  .meta({ description: "One isolated guest instance." });

export const ImageSchema = z
  .strictObject({
    description: z.string().min(1).meta({ description: "One line saying what this image shows or tests." }),
    capsules: z
      .array(capsule)
      .min(1)
      .meta({ description: "The capsules the hypervisor starts, in this order." }),
    colour: z.boolean().prefault(false).meta({
      description: "Print each capsule's console tag in its own ANSI colour (off by default).",
    }),
  })
  .meta({
    title: "Keel image",
    description: "An image: the capsules bundled into one Keel ELF. See docs/ports.md.",
  });

const guestDescription = z.string().min(1).meta({ description: "One line saying what the guest does." });
/** A path of a file in the guest's folder, e.g. `linux.fragment`. */
const guestFile = (description: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/, { error: "expected a file name in the guest's folder" })
    .meta({ description });
const debianPackage = (description: string) =>
  z
    .string()
    .regex(/^[a-z0-9][a-z0-9+.-]+$/, { error: "expected a Debian package name" })
    .meta({ description });

/** Guest kinds (docs/design/recipes.md): compiled here, taken from a host package, or built by a recipe. */
export const GUEST_KINDS = ["source", "host-file", "recipe"] as const;

export const GuestSchema = z
  .discriminatedUnion("kind", [
    z.strictObject({
      description: guestDescription,
      kind: z.literal("source").meta({ description: "source = compiled from this folder." }),
    }),
    z.strictObject({
      description: guestDescription,
      kind: z
        .literal("host-file")
        .meta({ description: "host-file = a raw binary installed by a host package." }),
      package: debianPackage("The Debian package that installs the file (named when it is missing)."),
      path: z
        .string()
        .regex(/^\//, { error: "expected an absolute path" })
        .meta({ description: "Absolute path of the binary on the build host." }),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/, { error: "expected 64 lower-case hex digits" })
        .optional()
        .meta({ description: "Expected SHA-256 of the file; the build fails when it differs." }),
      load: address(
        "Guest-physical address the binary is loaded at and entered (default 0x80200000).",
      ).optional(),
    }),
    z.strictObject({
      description: guestDescription,
      kind: z.literal("recipe").meta({ description: "recipe = Linux + initramfs built by the pipeline." }),
      linux: z
        .strictObject({
          package: debianPackage("Debian package with the kernel source tarball (linux-source-6.1)."),
          tarball: z
            .string()
            .regex(/^\//, { error: "expected an absolute path" })
            .meta({ description: "The source tarball that package installs." }),
          fragment: guestFile("Kconfig fragment applied on top of tinyconfig."),
        })
        .meta({ description: "The kernel: Debian's source package, tinyconfig + a fragment." }),
      busybox: z
        .strictObject({
          package: debianPackage("Debian source package (apt-get source)."),
          config: guestFile("BusyBox .config kept in the guest's folder."),
        })
        .optional()
        .meta({ description: "BusyBox, cross-built static from Debian's source package." }),
      programs: z
        .array(guestFile("A C file; the program is named after it."))
        .optional()
        .meta({ description: "Small static C programs for the initramfs (e.g. keelctl.c)." }),
      initramfs: guestFile("The initramfs manifest (docs/design/initramfs.md)."),
    }),
  ])
  .meta({ title: "Keel guest", description: "A guest program: guests/<name>/guest.yaml." });

/** An image file as written, after the schema check. */
export type ImageFile = z.output<typeof ImageSchema>;
/** A guest file as written, after the schema check. */
export type GuestFile = z.output<typeof GuestSchema>;
