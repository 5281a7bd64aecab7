// File-system failures caused by the environment (a full or read-only disk, a file where a folder is expected,
// missing permissions) turned into user errors: one line naming the path and the cause, exit 2.
import { UserError } from "./errors.ts";

const CAUSES: Readonly<Record<string, string>> = {
  ENOSPC: "no space left on device",
  EDQUOT: "disk quota exceeded",
  EROFS: "read-only file system",
  ENOTDIR: "a part of this path is a file, not a folder",
  EISDIR: "is a folder, not a file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EEXIST: "already exists",
  EMFILE: "too many open files",
  EIO: "input/output error",
};

/** The user error for an environment file-system failure, or undefined for anything else (a bug). */
export function fileSystemError(err: unknown): UserError | undefined {
  if (err instanceof UserError || !(err instanceof Error)) return undefined;
  const e = err as NodeJS.ErrnoException & { dest?: string };
  const cause = e.code !== undefined ? CAUSES[e.code] : undefined;
  if (cause === undefined) return undefined;
  const where = e.path !== undefined ? (e.dest !== undefined ? `${e.path} -> ${e.dest}` : e.path) : undefined;
  const op = e.syscall ? `, ${e.syscall}` : "";
  return new UserError(`${where ?? "file system"}: ${cause} (${e.code}${op})`);
}
