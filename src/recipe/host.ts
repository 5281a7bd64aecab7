// What recipes need from the build host: Debian packages (installed on the spot when Keel runs as root on
// Debian, otherwise a UserError with the exact command) and a deb-src entry for `apt-get source`.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ProbeRun } from "../toolchain/toolchain.ts";
import { UserError } from "../util/errors.ts";

/** Host packages every recipe build needs (kernel build tools, the Linux cross compiler and libc). */
export const RECIPE_PACKAGES: readonly string[] = [
  "bc",
  "bison",
  "cpio",
  "dpkg-dev",
  "flex",
  "gcc",
  "gcc-riscv64-linux-gnu",
  "libc6-dev",
  "libc6-dev-riscv64-cross",
  "libelf-dev",
  "libssl-dev",
  "make",
  "xz-utils",
];

/** The file Keel writes when the host has no deb-src entry (and says so). */
export const KEEL_DEB_SRC = "/etc/apt/sources.list.d/keel-deb-src.sources";

export interface HostEnv {
  run: ProbeRun;
  /** Prints what Keel does to the host (`keel: installing ...`). */
  say: (line: string) => void;
  /** Effective user id (0 = root). */
  uid: number;
  /** True on Debian or a derivative (apt-get and dpkg-query exist). */
  debian: boolean;
  /** Where apt's configuration lives (tests point it at a fixture); default /etc/apt. */
  aptDir?: string;
}

export function realHostEnv(run: ProbeRun, say: (line: string) => void): HostEnv {
  return {
    run,
    say,
    uid: process.getuid?.() ?? 1000,
    debian: existsSync("/etc/debian_version") && existsSync("/usr/bin/dpkg-query"),
  };
}

/** The packages of `wanted` that dpkg does not list as installed, sorted. */
export async function missingPackages(run: ProbeRun, wanted: readonly string[]): Promise<string[]> {
  const r = await run(["dpkg-query", "-W", "-f", "${Package} ${db:Status-Abbrev}\\n", ...wanted]).catch(
    () => ({
      code: 127,
      stdout: "",
      stderr: "",
    }),
  );
  const installed = new Set(
    r.stdout
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter(([, status]) => status?.startsWith("ii"))
      .map(([name]) => name?.replace(/:.*$/, "")),
  );
  return [...wanted].filter((p) => !installed.has(p)).sort();
}

/** The command a user runs to install `pkgs`. */
export function installCommand(pkgs: readonly string[]): string {
  return `apt-get install -y --no-install-recommends ${pkgs.join(" ")}`;
}

/**
 * Makes sure `pkgs` are installed: nothing to do, or apt-get install as root on Debian (printing what it
 * does), or a UserError naming the exact command.
 */
export async function ensurePackages(host: HostEnv, pkgs: readonly string[], why: string): Promise<void> {
  if (!host.debian) {
    throw new UserError(`${why} needs a Debian or Ubuntu host (packages: ${pkgs.join(" ")})`);
  }
  const missing = await missingPackages(host.run, pkgs);
  if (missing.length === 0) return;
  const cmd = installCommand(missing);
  if (host.uid !== 0) {
    throw new UserError(`${why} needs host packages that are not installed: ${missing.join(", ")}`, {
      details: [`install them with: sudo ${cmd}`],
    });
  }
  host.say(`keel: ${why} needs ${missing.join(" ")}; installing: ${cmd}`);
  const r = await host.run(["apt-get", "install", "-y", "--no-install-recommends", ...missing]);
  if (r.code !== 0) {
    throw new UserError(`${cmd} failed (exit code ${r.code})`, {
      details: (r.stderr || r.stdout).trim().split("\n").slice(-15),
    });
  }
  const still = await missingPackages(host.run, missing);
  if (still.length > 0) throw new UserError(`apt-get did not install ${still.join(", ")}`);
}

/** One deb822 stanza of an apt sources file, as key -> value. */
export type Stanza = Record<string, string>;

/** The stanzas of a deb822 apt sources file (keys lower-cased; comments skipped). */
export function parseDeb822(text: string): Stanza[] {
  const out: Stanza[] = [];
  let cur: Stanza = {};
  let last: string | undefined;
  for (const raw of text.split("\n")) {
    if (raw.startsWith("#")) continue;
    if (raw.trim() === "") {
      if (Object.keys(cur).length > 0) out.push(cur);
      cur = {};
      last = undefined;
      continue;
    }
    if (/^\s/.test(raw) && last) {
      cur[last] = `${cur[last]}\n${raw.trim()}`;
      continue;
    }
    const m = /^([A-Za-z-]+):\s*(.*)$/.exec(raw);
    if (m) {
      last = m[1]!.toLowerCase();
      cur[last] = m[2]!.trim();
    }
  }
  if (Object.keys(cur).length > 0) out.push(cur);
  return out;
}

/** apt's sources files under aptDir: sources.list, then sources.list.d's *.list and *.sources in name order. */
export function aptSourceFiles(aptDir: string): string[] {
  const listDir = join(aptDir, "sources.list.d");
  return [
    join(aptDir, "sources.list"),
    ...(existsSync(listDir)
      ? readdirSync(listDir)
          .sort()
          .map((f) => join(listDir, f))
      : []),
  ].filter((f) => existsSync(f) && (f.endsWith(".list") || f.endsWith(".sources")));
}

/** Whether apt has a deb-src entry anywhere; and the deb822 text Keel would add from the `deb` entries. */
export function debSrcState(aptDir: string): { has: boolean; proposal: string | undefined } {
  const files = aptSourceFiles(aptDir);
  let has = false;
  const stanzas: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    if (f.endsWith(".list")) {
      for (const line of text.split("\n")) {
        const l = line.trim();
        if (l.startsWith("deb-src ")) has = true;
        const m = /^deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(l);
        if (m && /debian\.org|ubuntu\.com/.test(m[2]!)) {
          const signed = /signed-by=(\S+?)\s*\]?$/.exec(m[1] ?? "")?.[1];
          stanzas.push(
            [
              "Types: deb-src",
              `URIs: ${m[2]}`,
              `Suites: ${m[3]}`,
              `Components: ${m[4]!.trim()}`,
              ...(signed ? [`Signed-By: ${signed}`] : []),
            ].join("\n"),
          );
        }
      }
    } else {
      for (const s of parseDeb822(text)) {
        if ((s["enabled"] ?? "yes").toLowerCase() === "no") continue;
        const types = (s["types"] ?? "").split(/\s+/);
        if (types.includes("deb-src")) has = true;
        if (types.includes("deb") && /debian\.org|ubuntu\.com/.test(s["uris"] ?? "")) {
          stanzas.push(
            [
              "Types: deb-src",
              `URIs: ${s["uris"]}`,
              `Suites: ${s["suites"]}`,
              `Components: ${s["components"]}`,
              ...(s["signed-by"] ? [`Signed-By: ${s["signed-by"]}`] : []),
            ].join("\n"),
          );
        }
      }
    }
  }
  if (has || stanzas.length === 0) return { has, proposal: undefined };
  const header = "# Written by Keel (src/recipe/host.ts): source packages for `apt-get source` (BusyBox).\n";
  return { has, proposal: `${header}${[...new Set(stanzas)].join("\n\n")}\n` };
}

/** Makes sure `apt-get source` works: adds Keel's own deb-src file (as root) and updates apt's lists. */
export async function ensureDebSrc(host: HostEnv): Promise<void> {
  const aptDir = host.aptDir ?? "/etc/apt";
  const state = debSrcState(aptDir);
  if (state.has) return;
  const target = join(aptDir, "sources.list.d", "keel-deb-src.sources");
  if (!state.proposal) {
    throw new UserError("apt has no deb-src entry and no Debian/Ubuntu deb entry to derive one from", {
      details: ["add a deb-src line for your distribution's archive, then run apt-get update"],
    });
  }
  if (host.uid !== 0) {
    throw new UserError("BusyBox's source package needs a deb-src entry, and apt has none", {
      details: [
        `write this to ${target} and run sudo apt-get update:`,
        ...state.proposal.trimEnd().split("\n"),
      ],
    });
  }
  writeFileSync(target, state.proposal);
  host.say(`keel: added deb-src entries in ${target} (apt-get source needs them); running apt-get update`);
  const r = await host.run(["apt-get", "update"]);
  if (r.code !== 0) {
    throw new UserError(`apt-get update failed (exit code ${r.code})`, {
      details: (r.stderr || r.stdout).trim().split("\n").slice(-10),
    });
  }
}

/** The version `apt-get source` would fetch for a source package (the first listed is the candidate). */
export async function sourceVersion(run: ProbeRun, pkg: string): Promise<string> {
  const r = await run(["apt-cache", "showsrc", "--only-source", pkg]).catch(() => undefined);
  const versions = (r?.stdout ?? "")
    .split("\n")
    .filter((l) => l.startsWith("Version: "))
    .map((l) => l.slice("Version: ".length).trim());
  if (versions.length === 0) {
    throw new UserError(`apt knows no source package "${pkg}"`, {
      details: ["run apt-get update (with a deb-src entry) and try again"],
    });
  }
  // apt-cache lists the versions of every source; ask dpkg which is newest.
  let best = versions[0]!;
  for (const v of versions.slice(1)) {
    const cmp = await run(["dpkg", "--compare-versions", v, "gt", best]);
    if (cmp.code === 0) best = v;
  }
  return best;
}

/** The installed version of a binary package (dpkg-query), or undefined. */
export async function installedVersion(run: ProbeRun, pkg: string): Promise<string | undefined> {
  const r = await run(["dpkg-query", "-W", "-f", "${Version}", pkg]).catch(() => undefined);
  return r && r.code === 0 && r.stdout.trim() !== "" ? r.stdout.trim() : undefined;
}
