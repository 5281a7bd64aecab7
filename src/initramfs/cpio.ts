// The "newc" cpio format (SVR4 without CRC, magic 070701): what the Linux kernel unpacks as an initramfs.
// Writer (deterministic: entries sorted by name, uid/gid 0, one mtime, inode numbers in order) and reader
// (for keel inspect and the tests). Format reference: the kernel's Documentation/driver-api/early-userspace/
// buffer-format.rst; each header is 110 ASCII bytes, the name and the data are padded to 4 bytes.

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

export type CpioEntry =
  | { type: "dir"; name: string; mode: number }
  | { type: "file"; name: string; mode: number; data: Uint8Array }
  | { type: "symlink"; name: string; mode: number; target: string }
  | { type: "char" | "block"; name: string; mode: number; major: number; minor: number };

const MAGIC = "070701";
const HEADER_SIZE = 110;
export const TRAILER = "TRAILER!!!";
const enc = new TextEncoder();

function typeBits(e: CpioEntry): number {
  switch (e.type) {
    case "dir":
      return S_IFDIR;
    case "file":
      return S_IFREG;
    case "symlink":
      return S_IFLNK;
    case "char":
      return S_IFCHR;
    case "block":
      return S_IFBLK;
  }
}

const pad4 = (n: number): number => (4 - (n % 4)) % 4;

function hex8(n: number, field: string): string {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new Error(`cpio: ${field} ${n} does not fit`);
  return n.toString(16).toUpperCase().padStart(8, "0");
}

interface RawHeader {
  ino: number;
  mode: number;
  nlink: number;
  mtime: number;
  size: number;
  rdevmajor: number;
  rdevminor: number;
  name: string;
}

function header(h: RawHeader): Uint8Array {
  const name = enc.encode(`${h.name}\0`);
  const fields = [
    h.ino,
    h.mode,
    0, // uid
    0, // gid
    h.nlink,
    h.mtime,
    h.size,
    0, // devmajor
    0, // devminor
    h.rdevmajor,
    h.rdevminor,
    name.length,
    0, // check (no CRC in newc)
  ];
  const names = "ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor rdevminor namesize check";
  const text = MAGIC + fields.map((f, i) => hex8(f, names.split(" ")[i] ?? "field")).join("");
  const out = new Uint8Array(HEADER_SIZE + name.length + pad4(HEADER_SIZE + name.length));
  out.set(enc.encode(text), 0);
  out.set(name, HEADER_SIZE);
  return out;
}

/** Byte order of names: the archive's order, and the order `keel inspect` prints. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * A newc archive of `entries`, sorted by name (so a parent directory always precedes what it holds), every
 * entry owned by 0:0 with mtime `mtime` (seconds), inode numbers 1, 2, ... in that order, then the trailer.
 * Names are relative (`bin/sh`); the caller has checked them.
 */
export function writeCpio(entries: readonly CpioEntry[], mtime: number): Uint8Array {
  const sorted = [...entries].sort((a, b) => compareNames(a.name, b.name));
  const parts: Uint8Array[] = [];
  let ino = 1;
  for (const e of sorted) {
    if ((e.mode & ~0o7777) !== 0)
      throw new Error(`cpio: ${e.name}: mode ${e.mode.toString(8)} has type bits`);
    const data = e.type === "file" ? e.data : e.type === "symlink" ? enc.encode(e.target) : new Uint8Array(0);
    parts.push(
      header({
        ino: ino++,
        mode: typeBits(e) | e.mode,
        nlink: e.type === "dir" ? 2 : 1,
        mtime,
        size: data.length,
        rdevmajor: e.type === "char" || e.type === "block" ? e.major : 0,
        rdevminor: e.type === "char" || e.type === "block" ? e.minor : 0,
        name: e.name,
      }),
    );
    if (data.length > 0) {
      parts.push(data);
      parts.push(new Uint8Array(pad4(data.length)));
    }
  }
  parts.push(
    header({ ino: 0, mode: 0, nlink: 1, mtime: 0, size: 0, rdevmajor: 0, rdevminor: 0, name: TRAILER }),
  );
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One member of an archive as read back. */
export interface CpioMember {
  name: string;
  /** Type and permission bits. */
  mode: number;
  uid: number;
  gid: number;
  nlink: number;
  mtime: number;
  size: number;
  rdevmajor: number;
  rdevminor: number;
  /** File content, or the symlink target's bytes. */
  data: Uint8Array;
}

/** Reads a newc (070701) or newc-with-CRC (070702) archive up to its trailer; throws Error on damage. */
export function readCpio(bytes: Uint8Array): CpioMember[] {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const members: CpioMember[] = [];
  let at = 0;
  for (;;) {
    if (at + HEADER_SIZE > b.length) throw new Error(`cpio: truncated header at offset ${at}`);
    const magic = b.toString("ascii", at, at + 6);
    if (magic !== "070701" && magic !== "070702") {
      throw new Error(`cpio: bad magic ${JSON.stringify(magic)} at offset ${at} (not a newc archive)`);
    }
    const field = (i: number): number => {
      const text = b.toString("ascii", at + 6 + i * 8, at + 14 + i * 8);
      if (!/^[0-9A-Fa-f]{8}$/.test(text))
        throw new Error(`cpio: bad header field at offset ${at + 6 + i * 8}`);
      return parseInt(text, 16);
    };
    const namesize = field(11);
    const size = field(6);
    const nameStart = at + HEADER_SIZE;
    const dataStart = nameStart + namesize + pad4(HEADER_SIZE + namesize);
    if (namesize < 1 || dataStart + size > b.length) throw new Error(`cpio: truncated entry at offset ${at}`);
    const name = b.toString("utf8", nameStart, nameStart + namesize - 1);
    if (name === TRAILER) break;
    members.push({
      name,
      mode: field(1),
      uid: field(2),
      gid: field(3),
      nlink: field(4),
      mtime: field(5),
      size,
      rdevmajor: field(9),
      rdevminor: field(10),
      data: bytes.subarray(dataStart, dataStart + size),
    });
    at = dataStart + size + pad4(size);
  }
  return members;
}

/** `drwxr-xr-x` from type + permission bits, as ls and cpio -tv print it. */
export function modeString(mode: number): string {
  const t = mode & S_IFMT;
  const type =
    t === S_IFDIR
      ? "d"
      : t === S_IFLNK
        ? "l"
        : t === S_IFCHR
          ? "c"
          : t === S_IFBLK
            ? "b"
            : t === S_IFREG
              ? "-"
              : "?";
  const rwx = (bits: number, special: boolean, ch: string): string =>
    (bits & 4 ? "r" : "-") +
    (bits & 2 ? "w" : "-") +
    (special ? (bits & 1 ? ch : ch.toUpperCase()) : bits & 1 ? "x" : "-");
  return (
    type +
    rwx((mode >> 6) & 7, (mode & 0o4000) !== 0, "s") +
    rwx((mode >> 3) & 7, (mode & 0o2000) !== 0, "s") +
    rwx(mode & 7, (mode & 0o1000) !== 0, "t")
  );
}

/** The archive as `cpio -tv --numeric-uid-gid` would list it (dates in UTC, ISO style). */
export function listCpio(members: readonly CpioMember[]): string[] {
  return members.map((m) => {
    const t = m.mode & S_IFMT;
    const size = t === S_IFCHR || t === S_IFBLK ? `${m.rdevmajor}, ${m.rdevminor}` : String(m.size);
    const date = new Date(m.mtime * 1000).toISOString().slice(0, 16).replace("T", " ");
    const target = t === S_IFLNK ? ` -> ${Buffer.from(m.data).toString("utf8")}` : "";
    return `${modeString(m.mode)} ${String(m.nlink).padStart(3)} ${String(m.uid).padEnd(5)} ${String(m.gid).padEnd(5)} ${size.padStart(9)} ${date} ${m.name}${target}`;
  });
}
