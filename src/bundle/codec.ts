// The capsule bundle: encode and decode the binary layout of hypervisor/include/keel/bundle.h.
// docs/design/bundle-format.md describes it in prose; both sides must agree byte for byte.
import { createHash } from "node:crypto";

export const BUNDLE_MAGIC = "KEELBNDL";
export const BUNDLE_VERSION = 1;
export const HEADER_SIZE = 64;
export const RECORD_SIZE = 128;
export const NAME_MAX = 32;
export const PAYLOAD_ALIGN = 4096;
export const HART_ANY = 0xffffffff;
export const PAYLOAD_ELF = 1;
export const PRIORITIES = ["normal", "high"] as const;
/** Record flags (docs/design/bundle-format.md, "Capsule flags"). */
export const FLAG_OWNS_MACHINE = 1 << 0;
export const FLAG_CONSOLE_FOCUS = 1 << 1;
export const FLAG_COLOUR = 1 << 2;
export const FLAG_DEV_UART = 1 << 3;
export type Priority = (typeof PRIORITIES)[number];
/** record.restart: index = the byte's value (docs/design/bundle-format.md). */
export const RESTART_POLICIES = ["never", "on-crash", "always"] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
/** The image's default restart_limit. */
export const RESTART_LIMIT_DEFAULT = 3;

/**
 * A capsule's settings as its bundle record carries them, the payload aside. The one capsule type: the image
 * file's capsule (manifest/image.ts, CapsuleManifest) and the build's (build/image.ts, CapsuleSpec) derive
 * from it, so a new capsule field is added here first.
 */
export interface CapsuleRecord {
  name: string;
  ramSize: bigint;
  vcpus: number;
  /** Preferred physical hart, or undefined for any. */
  hart: number | undefined;
  /** Physical harts (< 64) the vCPUs may run on; undefined or empty: see `hart`. */
  affinity?: readonly number[] | undefined;
  /** Default "normal". */
  priority?: Priority;
  /** When the hypervisor boots it again by itself; default "never". */
  restart?: RestartPolicy | undefined;
  /** Restarts the policy allows (u16); default 3, written as 0 for "never". */
  restartLimit?: number | undefined;
  /** Its SRST shutdown/reboot is the machine's; it may control the other capsules (keel-sbi.md). */
  ownsMachine?: boolean | undefined;
  /** Console input goes to it first (default: the first capsule). */
  consoleFocus?: boolean | undefined;
  /** Its console tag is printed in colour. */
  colour?: boolean | undefined;
  /** Emulated ns16550a UART + PLIC (`devices: [uart]`). */
  devUart?: boolean | undefined;
  bootargs: string;
}

/** One capsule as the pipeline hands it to the bundle writer. */
export interface BundleCapsule extends CapsuleRecord {
  payload: Uint8Array;
}

/** One capsule as read back from a bundle. */
export interface DecodedCapsule extends BundleCapsule {
  payloadKind: number;
  payloadOffset: number;
  sha256: string;
  /** Whether the stored SHA-256 matches the payload bytes. */
  hashOk: boolean;
  flags: number;
}

export interface DecodedBundle {
  version: number;
  totalSize: number;
  capsules: DecodedCapsule[];
}

export function sha256(bytes: Uint8Array): Buffer {
  return createHash("sha256").update(bytes).digest();
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** Harts -> the record's 64-bit affinity mask (0 = none given). */
function affinityMask(harts: readonly number[] | undefined): bigint {
  let mask = 0n;
  for (const h of harts ?? []) {
    if (!Number.isInteger(h) || h < 0 || h >= 64) throw new Error(`affinity hart out of range: ${h}`);
    mask |= 1n << BigInt(h);
  }
  return mask;
}

function maskHarts(mask: bigint): number[] {
  const harts: number[] = [];
  for (let h = 0; h < 64; h++) if ((mask >> BigInt(h)) & 1n) harts.push(h);
  return harts;
}

function recordFlags(c: BundleCapsule): number {
  return (
    (c.ownsMachine ? FLAG_OWNS_MACHINE : 0) |
    (c.consoleFocus ? FLAG_CONSOLE_FOCUS : 0) |
    (c.colour ? FLAG_COLOUR : 0) |
    (c.devUart ? FLAG_DEV_UART : 0)
  );
}

/** Encodes capsules into a bundle. Pure and deterministic: same capsules, same bytes. */
export function encodeBundle(capsules: readonly BundleCapsule[]): Buffer {
  const names = new Set<string>();
  for (const c of capsules) {
    if (Buffer.byteLength(c.name) >= NAME_MAX) throw new Error(`capsule name too long: ${c.name}`);
    if (names.has(c.name)) throw new Error(`duplicate capsule name: ${c.name}`);
    names.add(c.name);
  }
  // String table: each capsule's bootargs, NUL-terminated, in capsule order.
  const stringsOffset = HEADER_SIZE + RECORD_SIZE * capsules.length;
  const strings: Buffer[] = [];
  const bootargsOffsets: number[] = [];
  let stringsSize = 0;
  for (const c of capsules) {
    bootargsOffsets.push(stringsOffset + stringsSize);
    const s = Buffer.from(`${c.bootargs}\0`, "utf8");
    strings.push(s);
    stringsSize += s.length;
  }
  let cursor = alignUp(stringsOffset + stringsSize, PAYLOAD_ALIGN);
  const payloadOffsets = capsules.map((c) => {
    const at = cursor;
    cursor = alignUp(at + c.payload.length, PAYLOAD_ALIGN);
    return at;
  });
  const last = capsules.length - 1;
  const totalSize =
    capsules.length === 0
      ? stringsOffset + stringsSize
      : payloadOffsets[last]! + capsules[last]!.payload.length;

  const buf = Buffer.alloc(totalSize);
  buf.write(BUNDLE_MAGIC, 0, "ascii");
  buf.writeUInt32LE(BUNDLE_VERSION, 8);
  buf.writeUInt32LE(HEADER_SIZE, 12);
  buf.writeUInt32LE(RECORD_SIZE, 16);
  buf.writeUInt32LE(capsules.length, 20);
  buf.writeBigUInt64LE(BigInt(totalSize), 24);
  buf.writeUInt32LE(stringsOffset, 32);
  buf.writeUInt32LE(stringsSize, 36);

  capsules.forEach((c, i) => {
    const r = HEADER_SIZE + i * RECORD_SIZE;
    buf.write(c.name, r, "utf8");
    buf.writeBigUInt64LE(BigInt(payloadOffsets[i]!), r + 32);
    buf.writeBigUInt64LE(BigInt(c.payload.length), r + 40);
    sha256(c.payload).copy(buf, r + 48);
    buf.writeBigUInt64LE(c.ramSize, r + 80);
    buf.writeUInt32LE(c.vcpus, r + 88);
    buf.writeUInt32LE(recordFlags(c), r + 92);
    buf.writeUInt32LE(c.hart ?? HART_ANY, r + 96);
    buf.writeUInt32LE(PAYLOAD_ELF, r + 100);
    buf.writeUInt32LE(bootargsOffsets[i]!, r + 104);
    buf.writeUInt32LE(Buffer.byteLength(c.bootargs), r + 108);
    buf.writeBigUInt64LE(affinityMask(c.affinity), r + 112);
    buf.writeUInt32LE(PRIORITIES.indexOf(c.priority ?? "normal"), r + 120);
    const restart = c.restart ?? "never";
    const limit = restart === "never" ? 0 : (c.restartLimit ?? RESTART_LIMIT_DEFAULT);
    if (!Number.isInteger(limit) || limit < 0 || limit > 0xffff)
      throw new Error(`restart limit out of range: ${limit}`);
    buf.writeUInt8(RESTART_POLICIES.indexOf(restart), r + 124);
    buf.writeUInt16LE(limit, r + 126);
    Buffer.from(c.payload).copy(buf, payloadOffsets[i]!);
  });
  Buffer.concat(strings).copy(buf, stringsOffset);
  return buf;
}

/** Decodes a bundle, checking every offset; throws an Error naming the first inconsistency. */
export function decodeBundle(buf: Uint8Array): DecodedBundle {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < HEADER_SIZE) throw new Error(`bundle too short (${b.length} bytes)`);
  if (b.toString("ascii", 0, 8) !== BUNDLE_MAGIC) throw new Error("bad bundle magic");
  const version = b.readUInt32LE(8);
  if (version !== BUNDLE_VERSION) throw new Error(`unsupported bundle version ${version}`);
  if (b.readUInt32LE(12) !== HEADER_SIZE || b.readUInt32LE(16) !== RECORD_SIZE) {
    throw new Error("bundle header/record size mismatch");
  }
  const count = b.readUInt32LE(20);
  const totalSize = Number(b.readBigUInt64LE(24));
  if (totalSize > b.length) throw new Error(`bundle claims ${totalSize} bytes, has ${b.length}`);
  const stringsOffset = b.readUInt32LE(32);
  const stringsSize = b.readUInt32LE(36);
  if (stringsOffset + stringsSize > totalSize) throw new Error("string table outside bundle");
  const capsules: DecodedCapsule[] = [];
  for (let i = 0; i < count; i++) {
    const r = HEADER_SIZE + i * RECORD_SIZE;
    if (r + RECORD_SIZE > totalSize) throw new Error(`record ${i} outside bundle`);
    const nameEnd = b.indexOf(0, r);
    const name = b.toString("utf8", r, nameEnd >= 0 && nameEnd < r + NAME_MAX ? nameEnd : r + NAME_MAX);
    const payloadOffset = Number(b.readBigUInt64LE(r + 32));
    const payloadSize = Number(b.readBigUInt64LE(r + 40));
    if (payloadOffset + payloadSize > totalSize) throw new Error(`capsule ${name}: payload outside bundle`);
    const stored = b.subarray(r + 48, r + 80);
    const payload = b.subarray(payloadOffset, payloadOffset + payloadSize);
    const bootOff = b.readUInt32LE(r + 104);
    const bootLen = b.readUInt32LE(r + 108);
    if (bootOff + bootLen > totalSize) throw new Error(`capsule ${name}: bootargs outside bundle`);
    const hart = b.readUInt32LE(r + 96);
    const mask = b.readBigUInt64LE(r + 112);
    const priority = PRIORITIES[b.readUInt32LE(r + 120)];
    const flags = b.readUInt32LE(r + 92);
    if (priority === undefined)
      throw new Error(`capsule ${name}: unknown priority ${b.readUInt32LE(r + 120)}`);
    const restart = RESTART_POLICIES[b.readUInt8(r + 124)];
    if (restart === undefined)
      throw new Error(`capsule ${name}: unknown restart policy ${b.readUInt8(r + 124)}`);
    capsules.push({
      name,
      payload,
      payloadOffset,
      payloadKind: b.readUInt32LE(r + 100),
      sha256: stored.toString("hex"),
      hashOk: sha256(payload).equals(stored),
      ramSize: b.readBigUInt64LE(r + 80),
      vcpus: b.readUInt32LE(r + 88),
      flags,
      ownsMachine: (flags & FLAG_OWNS_MACHINE) !== 0,
      consoleFocus: (flags & FLAG_CONSOLE_FOCUS) !== 0,
      colour: (flags & FLAG_COLOUR) !== 0,
      devUart: (flags & FLAG_DEV_UART) !== 0,
      hart: hart === HART_ANY ? undefined : hart,
      affinity: mask === 0n ? undefined : maskHarts(mask),
      priority,
      restart,
      restartLimit: b.readUInt16LE(r + 126),
      bootargs: b.toString("utf8", bootOff, bootOff + bootLen),
    });
  }
  return { version, totalSize, capsules };
}
