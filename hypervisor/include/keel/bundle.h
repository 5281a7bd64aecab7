/* bundle.h - the on-disk layout of the capsule bundle linked into keel.elf.
 *
 * The pipeline (src/bundle/codec.ts) writes this layout; the hypervisor reads
 * it through the linker symbols __keel_bundle_start/__keel_bundle_end.
 * docs/design/bundle-format.md is the prose version; keep the two in step.
 * All integers are little-endian. All offsets are from the bundle start. */
#ifndef KEEL_BUNDLE_H
#define KEEL_BUNDLE_H

#include <keel/types.h>

#define KEEL_BUNDLE_MAGIC "KEELBNDL"
#define KEEL_BUNDLE_VERSION 1u
#define KEEL_BUNDLE_NAME_MAX 32u

/* Payload kinds. */
#define KEEL_PAYLOAD_ELF 1u /* ELF64 RISC-V, PT_LOAD segments at GPAs */

/* Capsule flags (record.flags); a reader rejects a record with a bit it does
 * not know. */
#define KEEL_CAPSULE_OWNS_MACHINE (1u << 0)  /* its SRST is the machine's; may control others */
#define KEEL_CAPSULE_CONSOLE_FOCUS (1u << 1) /* console input goes to it first */
#define KEEL_CAPSULE_COLOUR (1u << 2)        /* its console tag in colour */
#define KEEL_CAPSULE_DEV_UART (1u << 3)      /* emulated ns16550a at 0x10000000 + PLIC at 0x0c000000 */
#define KEEL_CAPSULE_FLAGS_KNOWN \
	(KEEL_CAPSULE_OWNS_MACHINE | KEEL_CAPSULE_CONSOLE_FOCUS | KEEL_CAPSULE_COLOUR | KEEL_CAPSULE_DEV_UART)

struct keel_bundle_header {
	char magic[8];         /* "KEELBNDL", not NUL-terminated */
	u32 version;           /* KEEL_BUNDLE_VERSION */
	u32 header_size;       /* sizeof(struct keel_bundle_header) = 64 */
	u32 record_size;       /* sizeof(struct keel_capsule_record) = 128 */
	u32 capsule_count;     /* records follow the header back to back */
	u64 total_size;        /* whole bundle, header to last payload byte */
	u32 strings_offset;    /* string table (bootargs), NUL-terminated strings */
	u32 strings_size;
	u8 reserved[24];       /* zero */
};

struct keel_capsule_record {
	char name[KEEL_BUNDLE_NAME_MAX]; /* NUL-padded; at most 31 chars */
	u64 payload_offset;    /* 4096-aligned */
	u64 payload_size;
	u8 sha256[32];         /* SHA-256 of the payload bytes */
	u64 ram_size;          /* guest RAM at GPA 0x80000000; multiple of 2 MiB */
	u32 vcpus;             /* >= 1 */
	u32 flags;             /* KEEL_CAPSULE_* */
	u32 hart;              /* preferred physical hart, 0xffffffff = any */
	u32 payload_kind;      /* KEEL_PAYLOAD_* */
	u32 bootargs_offset;   /* from the bundle start; inside the string table */
	u32 bootargs_len;      /* excluding the NUL */
	/* Scheduling, in what was reserved space in the first version-1
	 * writers (zero = the old meaning, so old and new readers agree on
	 * old bundles; an old reader ignores them). */
	u64 affinity;          /* bit h: physical hart h may run the vCPUs; 0 = see hart */
	u32 priority;          /* KEEL_PRIORITY_*; 0 = normal */
	/* Lifecycle, in the last reserved word (zero = never restart, the old
	 * meaning). */
	u8 restart;            /* KEEL_RESTART_*; 0 = never */
	u8 reserved;           /* zero */
	u16 restart_limit;     /* restarts the policy allows (ignored for never) */
};

_Static_assert(sizeof(struct keel_bundle_header) == 64, "bundle header layout");
_Static_assert(sizeof(struct keel_capsule_record) == 128, "capsule record layout");

#define KEEL_HART_ANY 0xffffffffu

/* record.priority */
#define KEEL_PRIORITY_NORMAL 0u
#define KEEL_PRIORITY_HIGH 1u

/* record.restart: when the hypervisor boots a capsule again by itself. */
#define KEEL_RESTART_NEVER 0u
#define KEEL_RESTART_ON_CRASH 1u  /* after it failed or was killed */
#define KEEL_RESTART_ALWAYS 2u    /* also after a clean shutdown */

#endif
