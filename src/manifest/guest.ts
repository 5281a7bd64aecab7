// Guests: `guests/<name>/guest.yaml` folders, listed and loaded (docs/design/build-inputs.md, "Guests").

import { readdir } from "node:fs/promises";
import path from "node:path";
import { statSync } from "node:fs";
import { describeValue } from "../yamlfile/scalars.ts";
import { checkSchema } from "../yamlfile/validate.ts";
import { UserError } from "../util/errors.ts";
import { parseYaml, problemsError, readYaml, type YamlSource } from "../yamlfile/yaml.ts";
import { displayPath, nameList } from "../yamlfile/files.ts";
import { GUEST_KINDS, GuestSchema } from "./schema.ts";

interface GuestCommon {
  readonly name: string;
  /** The guest.yaml file, as the path it was read from. */
  readonly file: string;
  readonly description: string;
  /** Repo-relative folder holding the guest's files, e.g. `guests/hello`. */
  readonly dir: string;
}

/** A guest, checked: one of the kinds of docs/design/recipes.md. */
export type GuestManifest = GuestCommon &
  (
    | { readonly kind: "source" }
    | {
        readonly kind: "host-file";
        /** The Debian package that installs `path`. */
        readonly package: string;
        readonly path: string;
        readonly sha256: string | undefined;
        /** Load and entry address (default 0x80200000). */
        readonly load: bigint;
      }
    | {
        readonly kind: "recipe";
        readonly linux: { package: string; tarball: string; fragment: string };
        readonly busybox: { package: string; config: string } | undefined;
        readonly programs: readonly string[];
        readonly initramfs: string;
      }
  );

/** Where a host-file guest's binary goes when its guest.yaml gives no load: (U-Boot's and Linux's place). */
export const DEFAULT_HOST_FILE_LOAD = 0x8020_0000n;

/** Names of the folders in `<root>/guests/` that hold a guest.yaml, sorted (guests/lib has none). */
export async function listGuests(root: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(path.join(root, "guests"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  return entries
    .filter((n) => statSync(path.join(root, "guests", n, "guest.yaml"), { throwIfNoEntry: false })?.isFile())
    .sort();
}

/** Loads guest `name`; a UserError listing the guests when there is none. */
export async function loadGuest(root: string, name: string): Promise<GuestManifest> {
  const guests = await listGuests(root);
  if (!guests.includes(name)) throw new UserError(`unknown guest "${name}" (guests: ${nameList(guests)})`);
  return checkGuest(name, await readYaml(displayPath(path.join(root, "guests", name, "guest.yaml"))));
}

/** Checks guest.yaml text as if read from `file` for guest `name`. */
export function parseGuest(name: string, text: string, file: string): GuestManifest {
  return checkGuest(name, parseYaml(text, file));
}

function checkGuest(name: string, source: YamlSource): GuestManifest {
  // The kind picks the schema; say plainly when it is none of them (zod would only say "invalid input").
  const kind = (source.value as { kind?: unknown } | null)?.kind;
  if (!(GUEST_KINDS as readonly unknown[]).includes(kind)) {
    const got = describeValue(kind);
    throw problemsError(source, [
      {
        path: ["kind"],
        message: `kind: expected one of ${GUEST_KINDS.map((k) => `"${k}"`).join(", ")}, got ${got}`,
      },
    ]);
  }
  const checked = checkSchema(GuestSchema, source);
  if (!checked.ok) throw problemsError(source, checked.problems);
  const common = { name, file: source.file, description: checked.value.description, dir: `guests/${name}` };
  const g = checked.value;
  switch (g.kind) {
    case "source":
      return { ...common, kind: "source" };
    case "host-file":
      return {
        ...common,
        kind: "host-file",
        package: g.package,
        path: g.path,
        sha256: g.sha256,
        load: g.load ?? DEFAULT_HOST_FILE_LOAD,
      };
    case "recipe":
      return {
        ...common,
        kind: "recipe",
        linux: g.linux,
        busybox: g.busybox,
        programs: g.programs ?? [],
        initramfs: g.initramfs,
      };
  }
}
