/* fdt.h - flattened device tree: read the host's, write the guests'.
 *
 * Format (devicetree-specification, "Flattened devicetree format"): a header
 * of ten big-endian u32s, a memory reservation block, a structure block of
 * 4-byte tokens (BEGIN_NODE name, PROP len nameoff value, END_NODE, NOP, END)
 * and a strings block of property names. */
#ifndef KEEL_FDT_H
#define KEEL_FDT_H

#include <keel/types.h>

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 0x1u
#define FDT_END_NODE 0x2u
#define FDT_PROP 0x3u
#define FDT_NOP 0x4u
#define FDT_END 0x9u

#define FDT_ISA_MAX 128

/* What the hypervisor takes from the host device tree (fdt_parse.c). */
struct host_info {
	u64 dtb_addr, dtb_size;  /* the blob itself, to keep it out of capsule RAM */
	u64 ram_base, ram_size;  /* first /memory region */
	u64 hart_mask;           /* bit h: cpu with reg h, status okay (h < CONFIG_MAX_HARTS) */
	unsigned hart_count;     /* bits in hart_mask */
	unsigned harts_ignored;  /* usable cpus with reg >= CONFIG_MAX_HARTS */
	u64 timebase;            /* /cpus timebase-frequency, Hz */
	char isa[FDT_ISA_MAX];   /* riscv,isa of the first usable cpu */
	u64 uart_base;           /* first ns16550a, 0 if none */
	u64 poweroff_base;       /* first sifive,test0/1, 0 if none */
};

/* Fills *out from the blob at dtb. Returns 0, or -1 with *why set when the
 * blob is not a usable device tree (bad header, no memory, no harts, no
 * timebase). */
int fdt_parse_host(const void *dtb, struct host_info *out, const char **why);

static inline u32 fdt_be32(const void *p)
{
	const u8 *b = p;

	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

/* A device tree writer over a caller-owned buffer (fdt_build.c). Errors
 * (buffer or string table full, unbalanced nodes) are sticky: every later
 * call is a no-op and fdtw_finish returns 0. */
#define FDTW_STRINGS_MAX 512

struct fdt_writer {
	u8 *buf;
	size_t cap;
	size_t off;      /* next free byte of the structure block */
	int depth;       /* open nodes */
	bool error;
	size_t strings_len;
	char strings[FDTW_STRINGS_MAX];
};

void fdtw_begin(struct fdt_writer *w, void *buf, size_t cap);
void fdtw_node_begin(struct fdt_writer *w, const char *name);
void fdtw_node_end(struct fdt_writer *w);
void fdtw_prop(struct fdt_writer *w, const char *name, const void *val, size_t len);
void fdtw_prop_u32(struct fdt_writer *w, const char *name, u32 val);
/* Two cells each: <hi lo> per value, as for #address-cells = #size-cells = 2. */
void fdtw_prop_u64_pair(struct fdt_writer *w, const char *name, u64 a, u64 b);
void fdtw_prop_str(struct fdt_writer *w, const char *name, const char *s);
void fdtw_prop_empty(struct fdt_writer *w, const char *name);
/* Appends the strings block and header. Returns the blob size, 0 on error. */
size_t fdtw_finish(struct fdt_writer *w);

/* What goes into a capsule's device tree. */
struct guest_dt_params {
	u64 ram_gpa, ram_size;
	u64 timebase;
	const char *isa;        /* already filtered for the guest */
	const char *bootargs;
	u32 boot_count;         /* /chosen/keel,boot-count */
	unsigned vcpus;         /* one /cpus/cpu@N (reg N) per vCPU */
	u64 initrd_start, initrd_end;  /* /chosen/linux,initrd-*, when end != 0 */
	bool uart;              /* /soc serial + PLIC (keel/guest_map.h), stdout-path */
};

/* Writes a capsule's device tree into buf. Returns its size, 0 if it does
 * not fit in cap. */
size_t fdt_build_guest(void *buf, size_t cap, const struct guest_dt_params *p);

/* Derives the guest riscv,isa from the host's: drops the hypervisor
 * extension ('h' and any "_h..." extension), and "_sstc" unless keep_sstc. */
void fdt_guest_isa(const char *host_isa, bool keep_sstc, char *out, size_t size);

#endif
