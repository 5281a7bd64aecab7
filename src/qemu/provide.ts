// The QEMU a port runs on. `qemu.from: host` is the binary on PATH; `qemu.from: debian-backports` is Debian 12
// backports' QEMU (10.0 today), which would replace the system's QEMU 7.2 if installed, so Keel fetches its
// packages with `apt-get download` and unpacks them into its cache instead:
//
//   <cache>/qemu/bookworm-backports-<version>/root/   dpkg-deb -x of qemu-system-riscv, -common, -data, opensbi
//                                                     and of any library package the host's versions do not satisfy
//   <cache>/qemu/bookworm-backports-<version>/keel-qemu.json   what was unpacked (written last: the folder is complete)
//
// The folder is made under <cache>/tmp and renamed into place, so a half-made one is never used.
import { existsSync, lstatSync, readFileSync, readlinkSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rename, rm, symlink, unlink, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import type { QemuStart } from "../port/emit-qemu.ts";
import type { ResolvedPort } from "../port/resolve.ts";
import { aptSourceFiles, installedVersion, parseDeb822, type HostEnv } from "../recipe/host.ts";
import type { ProbeRun } from "../toolchain/toolchain.ts";
import { UserError } from "../util/errors.ts";

/** How to start one port's QEMU: the program, arguments it needs before the port's, and its environment. */
export interface QemuProgram extends QemuStart {
  /** Added to the environment QEMU runs in (module and library folders of an unpacked QEMU). */
  env: Readonly<Record<string, string>>;
  /** What `--version` said (first line), when it was checked. */
  version?: string | undefined;
}

/** The backports suite and the packages that make up its RISC-V system emulator. */
export const BACKPORTS_SUITE = "bookworm-backports";
// qemu-system-modules-opengl and -spice: QEMU 10 probes ui-opengl.so and ui-spice-core.so at start; without
// its own it finds 7.2's in /usr/lib/<triplet>/qemu and prints "Only modules from the same build can be loaded".
export const BACKPORTS_PACKAGES = [
  "qemu-system-riscv",
  "qemu-system-common",
  "qemu-system-data",
  "qemu-system-modules-opengl",
  "qemu-system-modules-spice",
  "opensbi",
];

/** The file Keel writes when apt has no bookworm-backports entry (and says so). */
export const KEEL_BACKPORTS_SOURCES = "keel-backports.sources";

/** The version in `QEMU emulator version 10.0.2 (Debian ...)`, or undefined. */
export function parseQemuVersion(text: string): string | undefined {
  return /QEMU emulator version (\d+\.\d+(?:\.\d+)?)/.exec(text)?.[1];
}

/** Whether a reported version (10.0.2) is the major.minor a port needs (10.0). */
export function versionMatches(reported: string, wanted: string): boolean {
  return reported === wanted || reported.startsWith(`${wanted}.`);
}

/** One `Depends:` item: a package and an optional version constraint (`>=`, `>>`, `=`, `<<`, `<=`). */
export interface Dependency {
  name: string;
  op: string | undefined;
  version: string | undefined;
}

/** Parses a Debian `Depends:` field; of alternatives (`a | b`) the first is kept. Architecture qualifiers go. */
export function parseDepends(field: string): Dependency[] {
  return field
    .split(",")
    .map((item) => item.split("|")[0]!.trim())
    .filter((item) => item !== "")
    .map((item) => {
      const m = /^([a-z0-9][a-z0-9+.-]*)(?::\S+)?\s*(?:\(\s*(<<|<=|=|>=|>>)\s*([^)\s]+)\s*\))?/.exec(item);
      if (!m) throw new UserError(`cannot read the dependency "${item}" of a QEMU package`);
      return { name: m[1]!, op: m[2], version: m[3] };
    });
}

/** apt's sources (under aptDir) name the bookworm-backports suite in an enabled `deb` entry. */
export function hasBackportsEntry(aptDir: string): boolean {
  for (const f of aptSourceFiles(aptDir)) {
    const text = readFileSync(f, "utf8");
    if (f.endsWith(".list")) {
      if (text.split("\n").some((l) => new RegExp(`^\\s*deb\\s.*\\s${BACKPORTS_SUITE}\\s`).test(l)))
        return true;
      continue;
    }
    for (const st of parseDeb822(text)) {
      if ((st["enabled"] ?? "yes").toLowerCase() === "no") continue;
      const types = (st["types"] ?? "").split(/\s+/);
      if (types.includes("deb") && (st["suites"] ?? "").split(/\s+/).includes(BACKPORTS_SUITE)) return true;
    }
  }
  return false;
}

/** The sources file Keel adds for backports (the same archive and key as Debian 12's own entry). */
export const BACKPORTS_SOURCES_TEXT = [
  "# Written by Keel (src/qemu/provide.ts): Debian 12 backports, for `apt-get download` of QEMU 10 into Keel's",
  "# cache (nothing is installed from it; backports are never chosen for upgrades unless asked for).",
  "Types: deb",
  "URIs: http://deb.debian.org/debian",
  `Suites: ${BACKPORTS_SUITE}`,
  "Components: main",
  "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
  "",
].join("\n");

function failed(what: string, r: { code: number; stdout: string; stderr: string }): UserError {
  return new UserError(`${what} failed (exit code ${r.code})`, {
    details: (r.stderr || r.stdout).trim().split("\n").slice(-10),
  });
}

/** Makes sure apt knows bookworm-backports: adds Keel's own sources file (as root) and updates apt's lists. */
export async function ensureBackportsEntry(host: HostEnv): Promise<void> {
  const aptDir = host.aptDir ?? "/etc/apt";
  if (hasBackportsEntry(aptDir)) return;
  const target = join(aptDir, "sources.list.d", KEEL_BACKPORTS_SOURCES);
  if (host.uid !== 0) {
    throw new UserError(`QEMU from ${BACKPORTS_SUITE} needs a backports entry, and apt has none`, {
      details: [
        `write this to ${target} and run sudo apt-get update:`,
        ...BACKPORTS_SOURCES_TEXT.trimEnd().split("\n"),
      ],
    });
  }
  await writeFile(target, BACKPORTS_SOURCES_TEXT);
  host.say(
    `keel: added a ${BACKPORTS_SUITE} entry in ${target} (QEMU 10 comes from it); running apt-get update`,
  );
  const r = await host.run(["apt-get", "update"]);
  if (r.code !== 0) throw failed("apt-get update", r);
}

/** Whether the host's installed version of `d.name` satisfies `d` (dpkg decides). */
async function satisfied(run: ProbeRun, d: Dependency): Promise<boolean> {
  const have = await installedVersion(run, d.name);
  if (have === undefined) return false;
  if (d.op === undefined || d.version === undefined) return true;
  const op = { "<<": "lt", "<=": "le", "=": "eq", ">=": "ge", ">>": "gt" }[d.op]!;
  return (await run(["dpkg", "--compare-versions", have, op, d.version])).code === 0;
}

/**
 * The library packages the unpacked QEMU needs that the host lacks or has too old: every dependency of the
 * unpacked packages except those packages themselves and what they provide (`qemu-system-any`).
 */
export async function unmetDependencies(
  run: ProbeRun,
  depends: readonly string[],
  unpacked: readonly string[],
): Promise<Dependency[]> {
  const wanted = new Map<string, Dependency>();
  for (const field of depends)
    for (const d of parseDepends(field)) if (!unpacked.includes(d.name)) wanted.set(`${d.name} ${d.op}`, d);
  const out: Dependency[] = [];
  for (const d of wanted.values()) if (!(await satisfied(run, d))) out.push(d);
  return out;
}

/** Rewrites absolute symlinks under `dir` whose target exists inside `root` into relative links to it. */
export async function relinkInto(root: string, dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += await relinkInto(root, p);
    else if (e.isSymbolicLink()) {
      const target = readlinkSync(p);
      if (!target.startsWith("/") || !existsSync(join(root, target))) continue;
      await unlink(p);
      await symlink(relative(dirname(p), join(root, target)), p);
      n++;
    }
  }
  return n;
}

/** Debian's multiarch triplet of this host (the folder its libraries live in). */
const TRIPLET: string =
  { x64: "x86_64-linux-gnu", arm64: "aarch64-linux-gnu", riscv64: "riscv64-linux-gnu" }[
    process.arch as string
  ] ?? `${process.arch}-linux-gnu`;

/** Folders under root holding this host's shared libraries (`usr/lib/<triplet>`, `lib/<triplet>`). */
function libraryDirs(root: string): string[] {
  return ["usr/lib", "lib"]
    .map((base) => join(root, base, TRIPLET))
    .filter((d) => existsSync(d) && lstatSync(d).isDirectory());
}

/** keel-qemu.json: what an unpacked QEMU folder holds. */
interface UnpackedRecord {
  suite: string;
  packages: Record<string, string>;
  extra: string[];
}

/** The environment of an unpacked QEMU: its own modules, and its own libraries when any were unpacked. */
function programOf(binary: string, root: string, rec: UnpackedRecord): QemuProgram {
  const libs = libraryDirs(root);
  const env: Record<string, string> = {};
  const modules = libs.map((d) => join(d, "qemu")).find((d) => existsSync(d));
  // Without it QEMU 10 loads QEMU 7.2's modules from /usr/lib/<triplet>/qemu and complains.
  if (modules) env["QEMU_MODULE_DIR"] = modules;
  if (rec.extra.length > 0) env["LD_LIBRARY_PATH"] = libs.join(":");
  return { binary: join(root, "usr/bin", binary), args: ["-L", join(root, "usr/share/qemu")], env };
}

async function unpackBackports(host: HostEnv, cache: string, final: string): Promise<void> {
  if (!host.debian) throw new UserError(`QEMU from ${BACKPORTS_SUITE} needs a Debian 12 host`);
  const osRelease = existsSync("/etc/os-release") ? readFileSync("/etc/os-release", "utf8") : "";
  if (!/^VERSION_CODENAME=bookworm$/m.test(osRelease))
    throw new UserError(`QEMU from ${BACKPORTS_SUITE} needs a Debian 12 (bookworm) host`, {
      details: ["or use a port with qemu.from: host"],
    });
  await ensureBackportsEntry(host);
  await mkdir(join(cache, "tmp"), { recursive: true });
  const tmp = await mkdtemp(join(cache, "tmp", "qemu-"));
  try {
    const debs = join(tmp, "debs");
    const root = join(tmp, "root");
    await mkdir(debs);
    await mkdir(root);
    const download = async (names: readonly string[]): Promise<void> => {
      host.say(`keel: fetching ${names.join(" ")} (apt-get download, unpacked into ${final})`);
      const r = await host.run([
        "sh",
        "-c",
        'cd "$1" && shift && exec apt-get -o APT::Sandbox::User=root download "$@"',
        "sh",
        debs,
        ...names,
      ]);
      if (r.code !== 0) throw failed(`apt-get download ${names.join(" ")}`, r);
    };
    await download(BACKPORTS_PACKAGES.map((p) => `${p}/${BACKPORTS_SUITE}`));
    const packages: Record<string, string> = {};
    const depends: string[] = [];
    const provided: string[] = [];
    const unpack = async (): Promise<void> => {
      for (const deb of (await readdir(debs)).filter((f) => f.endsWith(".deb")).sort()) {
        const f = join(debs, deb);
        const info = await host.run(["dpkg-deb", "-f", f, "Package", "Version", "Depends", "Provides"]);
        if (info.code !== 0) throw failed(`dpkg-deb -f ${deb}`, info);
        const field = (k: string): string => new RegExp(`^${k}: (.*)$`, "m").exec(info.stdout)?.[1] ?? "";
        if (packages[field("Package")] !== undefined) continue;
        packages[field("Package")] = field("Version");
        depends.push(field("Depends"));
        for (const d of parseDepends(field("Provides"))) provided.push(d.name);
        const x = await host.run(["dpkg-deb", "-x", f, root]);
        if (x.code !== 0) throw failed(`dpkg-deb -x ${deb}`, x);
      }
    };
    await unpack();
    // Libraries: what the host does not satisfy is fetched too (from backports when bookworm's is too old).
    const extra: string[] = [];
    for (let round = 0; round < 3; round++) {
      const unmet = await unmetDependencies(host.run, depends, [...Object.keys(packages), ...provided]);
      if (unmet.length === 0) break;
      for (const d of unmet) {
        const plain = await host.run([
          "sh",
          "-c",
          'cd "$1" && exec apt-get download "$2"',
          "sh",
          debs,
          d.name,
        ]);
        if (plain.code !== 0) await download([`${d.name}/${BACKPORTS_SUITE}`]);
        extra.push(d.name);
      }
      await unpack();
    }
    await relinkInto(root, join(root, "usr/share/qemu"));
    const rec: UnpackedRecord = { suite: BACKPORTS_SUITE, packages, extra };
    const program = programOf("qemu-system-riscv64", root, rec);
    const ldd = await host.run([
      "env",
      ...Object.entries(program.env).map(([k, v]) => `${k}=${v}`),
      "ldd",
      program.binary,
    ]);
    const missing = ldd.stdout
      .split("\n")
      .filter((l) => l.includes("not found"))
      .map((l) => l.trim().split(/\s+/)[0]!);
    if (ldd.code !== 0 || missing.length > 0)
      throw new UserError(
        `the unpacked QEMU misses shared libraries: ${missing.join(", ") || "(ldd failed)"}`,
        {
          details: ["install them with apt-get, or remove the port's qemu.from: debian-backports"],
        },
      );
    await writeFile(join(tmp, "keel-qemu.json"), `${JSON.stringify(rec, null, 2)}\n`);
    await rm(join(tmp, "debs"), { recursive: true, force: true });
    await mkdir(dirname(final), { recursive: true });
    try {
      await rename(tmp, final);
    } catch (e) {
      // Another Keel made it first: theirs is complete (renamed whole), keep it.
      if (!existsSync(join(final, "keel-qemu.json"))) throw e;
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** Checked programs of this process, by port name (a version check is one QEMU start). */
const checked = new Map<string, QemuProgram>();

/**
 * The QEMU that runs `port`: the host's, or backports' unpacked into `cache` (fetched the first time).
 * When the port names a version, `--version` must report it.
 */
export async function provideQemu(port: ResolvedPort, host: HostEnv, cache: string): Promise<QemuProgram> {
  const known = checked.get(port.name);
  if (known) return known;
  let program: QemuProgram = { binary: port.qemu.binary, args: [], env: {} };
  if (port.qemu.from === "debian-backports") {
    const final = join(cache, "qemu", `${BACKPORTS_SUITE}-${port.qemu.version}`);
    if (!existsSync(join(final, "keel-qemu.json"))) await unpackBackports(host, cache, final);
    const rec = JSON.parse(readFileSync(join(final, "keel-qemu.json"), "utf8")) as UnpackedRecord;
    program = programOf(port.qemu.binary, join(final, "root"), rec);
  }
  if (port.qemu.version !== undefined) {
    const r = await host
      .run(["env", ...Object.entries(program.env).map(([k, v]) => `${k}=${v}`), program.binary, "--version"])
      .catch(() => ({ code: 127, stdout: "", stderr: "" }));
    const reported = parseQemuVersion(r.stdout);
    if (r.code !== 0 || reported === undefined)
      throw new UserError(
        `port ${port.name} needs QEMU ${port.qemu.version}: ${program.binary} does not run`,
        {
          details: (r.stderr || r.stdout).trim().split("\n").slice(-5),
        },
      );
    if (!versionMatches(reported, port.qemu.version))
      throw new UserError(
        `port ${port.name} needs QEMU ${port.qemu.version}, ${program.binary} is QEMU ${reported}`,
        { details: [`${port.file}: qemu.version`] },
      );
    program = { ...program, version: r.stdout.split("\n")[0]!.trim() };
  }
  checked.set(port.name, program);
  return program;
}
