/* fdt_parse.c - take what the hypervisor needs from the host device tree
 * (see keel/fdt.h): /memory, /cpus (harts, ISA, timebase-frequency) and
 * the console and poweroff devices. The ISA comes from riscv,isa-base +
 * riscv,isa-extensions when a cpu has them (QEMU 8.2 and later; their
 * riscv,isa lists so many extensions that it outgrows FDT_ISA_MAX), else
 * from riscv,isa. One pass over the structure block;
 * every read is bounds-checked against the header's block sizes. */
#include <keel/config.h>
#include <keel/fdt.h>
#include <keel/lib.h>

#define MAX_DEPTH 8

/* Header field offsets (bytes). */
#define HDR_TOTALSIZE 4
#define HDR_OFF_STRUCT 8
#define HDR_OFF_STRINGS 12
#define HDR_VERSION 20
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT 36

enum node_kind { NODE_OTHER, NODE_ROOT, NODE_MEMORY, NODE_CPUS, NODE_CPU };

/* One open node while walking. */
struct node {
	enum node_kind kind;
	u32 addr_cells, size_cells;  /* for its children */
	/* collected properties */
	const u8 *reg;
	u32 reg_len;
	bool status_ok;
	bool is_memory;        /* device_type = "memory" */
	const char *isa;
	u32 isa_len;
	const char *isa_base;  /* riscv,isa-base ("rv64i") */
	u32 isa_base_len;
	const char *isa_ext;   /* riscv,isa-extensions, a string list */
	u32 isa_ext_len;
	bool uart, poweroff;   /* compatible matches */
};

struct walk {
	const u8 *strings;
	u32 strings_size;
	struct host_info *out;
	bool have_memory;
	bool have_isa;
};

/* Reads a value of n cells (n = 1 or 2) at p. */
static u64 cells(const u8 *p, u32 n)
{
	return n == 2 ? ((u64)fdt_be32(p) << 32) | fdt_be32(p + 4) : fdt_be32(p);
}

/* True if the NUL-separated string list val (len bytes) contains s. */
static bool strlist_has(const char *val, u32 len, const char *s)
{
	size_t slen = strlen(s);

	for (u32 off = 0; off < len;) {
		size_t l = strnlen(val + off, len - off);

		if (l == slen && memcmp(val + off, s, l) == 0)
			return true;
		off += (u32)l + 1;
	}
	return false;
}

static void prop(struct node *n, const char *name, const u8 *val, u32 len)
{
	if (strcmp(name, "#address-cells") == 0 && len == 4)
		n->addr_cells = fdt_be32(val);
	else if (strcmp(name, "#size-cells") == 0 && len == 4)
		n->size_cells = fdt_be32(val);
	else if (strcmp(name, "reg") == 0) {
		n->reg = val;
		n->reg_len = len;
	} else if (strcmp(name, "status") == 0)
		n->status_ok = strnlen((const char *)val, len) >= 2 &&
			       (str_starts((const char *)val, "okay") || str_starts((const char *)val, "ok"));
	else if (strcmp(name, "device_type") == 0)
		n->is_memory = strlist_has((const char *)val, len, "memory");
	else if (strcmp(name, "riscv,isa") == 0) {
		n->isa = (const char *)val;
		n->isa_len = len;
	} else if (strcmp(name, "riscv,isa-base") == 0) {
		n->isa_base = (const char *)val;
		n->isa_base_len = len;
	} else if (strcmp(name, "riscv,isa-extensions") == 0) {
		n->isa_ext = (const char *)val;
		n->isa_ext_len = len;
	} else if (strcmp(name, "compatible") == 0) {
		n->uart = strlist_has((const char *)val, len, "ns16550a");
		n->poweroff = strlist_has((const char *)val, len, "sifive,test0") ||
			      strlist_has((const char *)val, len, "sifive,test1");
	}
}

/* First reg address of n, in its parent's cells; 0 if missing or short. */
static u64 reg_addr(const struct node *n, const struct node *parent)
{
	u32 ac = parent->addr_cells;

	if (!n->reg || ac == 0 || ac > 2 || n->reg_len < 4 * ac)
		return 0;
	return cells(n->reg, ac);
}

/* Writes the riscv,isa-style string of a cpu that has riscv,isa-extensions:
 * "rv64" (from riscv,isa-base, else riscv,isa, else "rv64"), the
 * single-letter extensions in list order, then "_name" for each longer one.
 * A name that does not fit in out is left out whole, never cut. */
static void isa_from_extensions(const struct node *n, char *out, size_t size)
{
	const char *xlen = "rv64";
	size_t o = 0;

	if (n->isa_base && strnlen(n->isa_base, n->isa_base_len) >= 4)
		xlen = n->isa_base;
	else if (n->isa && strnlen(n->isa, n->isa_len) >= 4)
		xlen = n->isa;
	memcpy(out, xlen, 4);
	o = 4;
	for (int pass = 0; pass < 2; pass++) {
		for (u32 off = 0; off < n->isa_ext_len;) {
			const char *name = n->isa_ext + off;
			size_t l = strnlen(name, n->isa_ext_len - off);

			off += (u32)l + 1;
			if (l == 0 || (pass == 0) != (l == 1))
				continue;
			if (o + l + (pass == 1) + 1 > size)
				continue;
			if (pass == 1)
				out[o++] = '_';
			memcpy(out + o, name, l);
			o += l;
		}
	}
	out[o] = '\0';
}

/* Acts on a node whose properties have all been seen. */
static void node_done(struct walk *w, struct node *n, const struct node *parent)
{
	struct host_info *out = w->out;

	if (n->kind == NODE_MEMORY && n->is_memory && !w->have_memory) {
		u32 ac = parent->addr_cells, sc = parent->size_cells;

		if (ac >= 1 && ac <= 2 && sc >= 1 && sc <= 2 && n->reg_len >= 4 * (ac + sc)) {
			out->ram_base = cells(n->reg, ac);
			out->ram_size = cells(n->reg + 4 * ac, sc);
			w->have_memory = true;
		}
	}
	if (n->kind == NODE_CPU && n->status_ok && n->reg) {
		u64 id = reg_addr(n, parent);

		if (id >= CONFIG_MAX_HARTS) {
			out->harts_ignored++;
		} else if (!(out->hart_mask & (1UL << id))) {
			out->hart_mask |= 1UL << id;
			out->hart_count++;
			if (n->isa_ext && !w->have_isa) {
				isa_from_extensions(n, out->isa, sizeof(out->isa));
				w->have_isa = true;
			} else if (n->isa && !w->have_isa) {
				size_t l = strnlen(n->isa, n->isa_len);

				if (l >= sizeof(out->isa))
					l = sizeof(out->isa) - 1;
				memcpy(out->isa, n->isa, l);
				out->isa[l] = '\0';
				w->have_isa = true;
			}
		}
	}
	if (n->uart && n->status_ok && !out->uart_base)
		out->uart_base = reg_addr(n, parent);
	if (n->poweroff && n->status_ok && !out->poweroff_base)
		out->poweroff_base = reg_addr(n, parent);
}

int fdt_parse_host(const void *dtb, struct host_info *out, const char **why)
{
	const u8 *base = dtb;
	struct node stack[MAX_DEPTH + 1];
	struct walk w = { 0 };
	u32 total, off_struct, size_struct, off_strings;
	int depth = 0;

	memset(out, 0, sizeof(*out));
	*why = NULL;
	if (!dtb || ((uptr)dtb & 3) || fdt_be32(base) != FDT_MAGIC) {
		*why = "no device tree at a1";
		return -1;
	}
	total = fdt_be32(base + HDR_TOTALSIZE);
	off_struct = fdt_be32(base + HDR_OFF_STRUCT);
	size_struct = fdt_be32(base + HDR_SIZE_STRUCT);
	off_strings = fdt_be32(base + HDR_OFF_STRINGS);
	w.strings_size = fdt_be32(base + HDR_SIZE_STRINGS);
	if (fdt_be32(base + HDR_VERSION) < 17 || off_struct > total || size_struct > total - off_struct ||
	    off_strings > total || w.strings_size > total - off_strings || (off_struct & 3)) {
		*why = "device tree header inconsistent";
		return -1;
	}
	out->dtb_addr = (uptr)dtb;
	out->dtb_size = total;
	w.strings = base + off_strings;
	w.out = out;

	/* The root's parent supplies the spec's default cell counts. */
	memset(stack, 0, sizeof(stack));
	stack[0].addr_cells = 2;
	stack[0].size_cells = 1;

	const u8 *p = base + off_struct, *end = p + size_struct;

	while (p + 4 <= end) {
		u32 token = fdt_be32(p);

		p += 4;
		if (token == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			size_t l = strnlen(name, (size_t)(end - p));
			struct node *parent = &stack[depth], *n;

			if ((const u8 *)name + l >= end || depth == MAX_DEPTH) {
				*why = "device tree too deep or truncated";
				return -1;
			}
			p += ALIGN_UP(l + 1, 4);
			n = &stack[++depth];
			memset(n, 0, sizeof(*n));
			n->addr_cells = 2;
			n->size_cells = 1;
			n->status_ok = true;
			if (depth == 1)
				n->kind = NODE_ROOT;
			else if (parent->kind == NODE_ROOT && str_starts(name, "memory"))
				n->kind = NODE_MEMORY;
			else if (parent->kind == NODE_ROOT && strcmp(name, "cpus") == 0)
				n->kind = NODE_CPUS;
			else if (parent->kind == NODE_CPUS && str_starts(name, "cpu@"))
				n->kind = NODE_CPU;
		} else if (token == FDT_PROP) {
			u32 len, nameoff;

			if (p + 8 > end)
				break;
			len = fdt_be32(p);
			nameoff = fdt_be32(p + 4);
			p += 8;
			if (len > (u32)(end - p) || nameoff >= w.strings_size || depth == 0) {
				*why = "device tree property truncated";
				return -1;
			}
			const char *pname = (const char *)w.strings + nameoff;

			if (strnlen(pname, w.strings_size - nameoff) < w.strings_size - nameoff) {
				prop(&stack[depth], pname, p, len);
				if (stack[depth].kind == NODE_CPUS && strcmp(pname, "timebase-frequency") == 0 &&
				    (len == 4 || len == 8))
					out->timebase = cells(p, len / 4);
			}
			p += ALIGN_UP(len, 4);
		} else if (token == FDT_END_NODE) {
			if (depth == 0) {
				*why = "device tree nodes unbalanced";
				return -1;
			}
			node_done(&w, &stack[depth], &stack[depth - 1]);
			depth--;
		} else if (token == FDT_END) {
			break;
		} else if (token != FDT_NOP) {
			*why = "unknown device tree token";
			return -1;
		}
	}

	if (!w.have_memory)
		*why = "no /memory node";
	else if (out->hart_count == 0)
		*why = "no usable cpu";
	else if (out->timebase == 0)
		*why = "no /cpus timebase-frequency";
	else if (!w.have_isa)
		*why = "no riscv,isa or riscv,isa-extensions";
	return *why ? -1 : 0;
}
