// Guests: `guests/<name>/guest.yaml` folders, listed and loaded (docs/design/build-inputs.md, "Guests").

import { readdir } from "node:fs/promises";
import path from "node:path";
import { statSync } from "node:fs";
import { checkSchema } from "../port/validate.ts";
import { UserError } from "../util/errors.ts";
import { parseYaml, problemsError, readYaml, type YamlSource } from "../util/yaml.ts";
import { displayPath, nameList } from "./files.ts";
import { GuestSchema } from "./schema.ts";

/** A guest, checked. */
export interface GuestManifest {
  readonly name: string;
  /** The guest.yaml file, as the path it was read from. */
  readonly file: string;
  readonly description: string;
  readonly kind: "source";
  /** Repo-relative folder holding the guest's sources, e.g. `guests/hello`. */
  readonly dir: string;
}

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
  const checked = checkSchema(GuestSchema, source);
  if (!checked.ok) throw problemsError(source, checked.problems);
  return { name, file: source.file, ...checked.value, dir: `guests/${name}` };
}
