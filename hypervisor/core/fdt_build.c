/* fdt_build.c - write a capsule's device tree (see keel/fdt.h).
 *
 * The writer puts the header and an empty memory reservation block first,
 * then the structure block as nodes are written, and at the end copies the
 * strings block (collected on the side) behind it. */
#include <keel/fdt.h>
#include <keel/lib.h>
#include <keel/printf.h>
#include <keel/guest_map.h>

#define HDR_SIZE 40
#define RSVMAP_SIZE 16  /* one terminating (0, 0) entry */

static void put_be32(u8 *p, u32 v)
{
	p[0] = (u8)(v >> 24);
	p[1] = (u8)(v >> 16);
	p[2] = (u8)(v >> 8);
	p[3] = (u8)v;
}

/* Reserves n bytes (n rounded up to 4, padding zeroed) in the structure block. */
static u8 *room(struct fdt_writer *w, size_t n)
{
	size_t padded = ALIGN_UP(n, 4);
	u8 *p;

	if (w->error || padded > w->cap - w->off) {
		w->error = true;
		return NULL;
	}
	p = w->buf + w->off;
	memset(p + n, 0, padded - n);
	w->off += padded;
	return p;
}

static void token(struct fdt_writer *w, u32 t)
{
	u8 *p = room(w, 4);

	if (p)
		put_be32(p, t);
}

/* Offset of name in the strings block, adding it if new; sets error if full. */
static u32 string_offset(struct fdt_writer *w, const char *name)
{
	size_t len = strlen(name) + 1;

	for (size_t off = 0; off < w->strings_len; off += strlen(w->strings + off) + 1)
		if (strcmp(w->strings + off, name) == 0)
			return (u32)off;
	if (len > sizeof(w->strings) - w->strings_len) {
		w->error = true;
		return 0;
	}
	memcpy(w->strings + w->strings_len, name, len);
	w->strings_len += len;
	return (u32)(w->strings_len - len);
}

void fdtw_begin(struct fdt_writer *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->depth = 0;
	w->strings_len = 0;
	w->error = ((uptr)buf & 7) != 0 || cap < HDR_SIZE + RSVMAP_SIZE;
	w->off = HDR_SIZE + RSVMAP_SIZE;
	if (!w->error)
		memset(w->buf, 0, HDR_SIZE + RSVMAP_SIZE);
}

void fdtw_node_begin(struct fdt_writer *w, const char *name)
{
	size_t len = strlen(name) + 1;
	u8 *p;

	token(w, FDT_BEGIN_NODE);
	p = room(w, len);
	if (p)
		memcpy(p, name, len);
	w->depth++;
}

void fdtw_node_end(struct fdt_writer *w)
{
	token(w, FDT_END_NODE);
	if (--w->depth < 0)
		w->error = true;
}

void fdtw_prop(struct fdt_writer *w, const char *name, const void *val, size_t len)
{
	u32 nameoff = string_offset(w, name);
	u8 *p;

	token(w, FDT_PROP);
	p = room(w, 8 + len);
	if (!p)
		return;
	put_be32(p, (u32)len);
	put_be32(p + 4, nameoff);
	if (len)  /* fdtw_prop_empty passes NULL: memcpy's contract wants a pointer */
		memcpy(p + 8, val, len);
}

void fdtw_prop_u32(struct fdt_writer *w, const char *name, u32 val)
{
	u8 cell[4];

	put_be32(cell, val);
	fdtw_prop(w, name, cell, sizeof(cell));
}

void fdtw_prop_u64_pair(struct fdt_writer *w, const char *name, u64 a, u64 b)
{
	u8 cells[16];

	put_be32(cells, (u32)(a >> 32));
	put_be32(cells + 4, (u32)a);
	put_be32(cells + 8, (u32)(b >> 32));
	put_be32(cells + 12, (u32)b);
	fdtw_prop(w, name, cells, sizeof(cells));
}

void fdtw_prop_str(struct fdt_writer *w, const char *name, const char *s)
{
	fdtw_prop(w, name, s, strlen(s) + 1);
}

void fdtw_prop_empty(struct fdt_writer *w, const char *name)
{
	fdtw_prop(w, name, NULL, 0);
}

size_t fdtw_finish(struct fdt_writer *w)
{
	size_t struct_size, total;

	token(w, FDT_END);
	if (w->error || w->depth != 0 || w->strings_len > w->cap - w->off)
		return 0;
	struct_size = w->off - (HDR_SIZE + RSVMAP_SIZE);
	memcpy(w->buf + w->off, w->strings, w->strings_len);
	total = w->off + w->strings_len;

	put_be32(w->buf + 0, FDT_MAGIC);
	put_be32(w->buf + 4, (u32)total);                     /* totalsize */
	put_be32(w->buf + 8, HDR_SIZE + RSVMAP_SIZE);         /* off_dt_struct */
	put_be32(w->buf + 12, (u32)w->off);                   /* off_dt_strings */
	put_be32(w->buf + 16, HDR_SIZE);                      /* off_mem_rsvmap */
	put_be32(w->buf + 20, 17);                            /* version */
	put_be32(w->buf + 24, 16);                            /* last_comp_version */
	put_be32(w->buf + 28, 0);                             /* boot_cpuid_phys */
	put_be32(w->buf + 32, (u32)w->strings_len);           /* size_dt_strings */
	put_be32(w->buf + 36, (u32)struct_size);              /* size_dt_struct */
	return total;
}

void fdt_guest_isa(const char *host_isa, bool keep_sstc, char *out, size_t size)
{
	size_t o = 0;
	const char *p = host_isa;

	if (size == 0)
		return;
	/* "rv64" then single-letter extensions up to the first '_'. */
	for (; *p && *p != '_'; p++) {
		bool base = p - host_isa < 4;

		if (!base && (*p == 'h' || *p == 'H'))
			continue;
		if (o + 1 < size)
			out[o++] = *p;
	}
	/* Multi-letter extensions, each "_name". */
	while (*p == '_') {
		const char *name = ++p;
		size_t len = 0;

		while (name[len] && name[len] != '_')
			len++;
		p = name + len;
		if (len == 0 || name[0] == 'h' || name[0] == 'H')
			continue;
		if (!keep_sstc && len == 4 && strncmp(name, "sstc", 4) == 0)
			continue;
		if (o + len + 2 <= size) {
			out[o++] = '_';
			memcpy(out + o, name, len);
			o += len;
		}
	}
	out[o] = '\0';
}

/* /soc with the emulated PLIC and ns16550a (keel/guest_map.h). */
static void soc(struct fdt_writer *w, const struct guest_dt_params *p, u32 intc_phandle)
{
	const u32 plic_phandle = intc_phandle + p->vcpus;
	u8 cells[16 * CONFIG_MAX_VCPUS];
	char node_name[32];
	static const char plic_compat[] = "sifive,plic-1.0.0\0riscv,plic0";
	unsigned n;

	fdtw_node_begin(w, "soc");
	fdtw_prop_u32(w, "#address-cells", 2);
	fdtw_prop_u32(w, "#size-cells", 2);
	fdtw_prop_str(w, "compatible", "simple-bus");
	fdtw_prop_empty(w, "ranges");

	snprintf(node_name, sizeof(node_name), "plic@%lx", VPLIC_BASE);
	fdtw_node_begin(w, node_name);
	fdtw_prop(w, "compatible", plic_compat, sizeof(plic_compat));
	fdtw_prop_u64_pair(w, "reg", VPLIC_BASE, VPLIC_SIZE);
	fdtw_prop_u32(w, "#address-cells", 0);
	fdtw_prop_u32(w, "#interrupt-cells", 1);
	fdtw_prop_empty(w, "interrupt-controller");
	fdtw_prop_u32(w, "riscv,ndev", VPLIC_NDEV);
	/* Per vCPU: context 2n = M-mode (not there: 0xffffffff), 2n + 1 = S external (9). */
	for (n = 0; n < p->vcpus && n < CONFIG_MAX_VCPUS; n++) {
		put_be32(cells + 16 * n, intc_phandle + n);
		put_be32(cells + 16 * n + 4, 0xffffffffu);
		put_be32(cells + 16 * n + 8, intc_phandle + n);
		put_be32(cells + 16 * n + 12, 9);
	}
	fdtw_prop(w, "interrupts-extended", cells, 16 * n);
	fdtw_prop_u32(w, "phandle", plic_phandle);
	fdtw_node_end(w);

	snprintf(node_name, sizeof(node_name), "serial@%lx", VUART_BASE);
	fdtw_node_begin(w, node_name);
	fdtw_prop_str(w, "compatible", "ns16550a");
	fdtw_prop_u64_pair(w, "reg", VUART_BASE, VUART_SIZE);
	fdtw_prop_u32(w, "clock-frequency", VUART_CLOCK);
	fdtw_prop_u32(w, "interrupts", VUART_IRQ);
	fdtw_prop_u32(w, "interrupt-parent", plic_phandle);
	fdtw_node_end(w);

	fdtw_node_end(w);
}

size_t fdt_build_guest(void *buf, size_t cap, const struct guest_dt_params *p)
{
	struct fdt_writer w;
	char node[32];
	const u32 intc_phandle = 1;

	fdtw_begin(&w, buf, cap);
	fdtw_node_begin(&w, "");
	fdtw_prop_u32(&w, "#address-cells", 2);
	fdtw_prop_u32(&w, "#size-cells", 2);
	fdtw_prop_str(&w, "compatible", "keel,capsule");
	fdtw_prop_str(&w, "model", "Keel capsule");

	fdtw_node_begin(&w, "chosen");
	fdtw_prop_str(&w, "bootargs", p->bootargs ? p->bootargs : "");
	fdtw_prop_u32(&w, "keel,boot-count", p->boot_count);
	if (p->uart)
		fdtw_prop_str(&w, "stdout-path", "/soc/serial@10000000");
	if (p->initrd_end) {
		/* u64 cells: Linux reads as many cells as the property has. */
		u8 cell[8];

		for (int i = 0; i < 8; i++)
			cell[i] = (u8)(p->initrd_start >> (56 - 8 * i));
		fdtw_prop(&w, "linux,initrd-start", cell, sizeof(cell));
		for (int i = 0; i < 8; i++)
			cell[i] = (u8)(p->initrd_end >> (56 - 8 * i));
		fdtw_prop(&w, "linux,initrd-end", cell, sizeof(cell));
	}
	fdtw_node_end(&w);

	/* "memory@80000000": the unit address is the first reg address in hex. */
	memcpy(node, "memory@", 7);
	{
		char hex[17];
		int n = 0;
		u64 v = p->ram_gpa;

		do {
			hex[n++] = "0123456789abcdef"[v & 15];
			v >>= 4;
		} while (v);
		for (int i = 0; i < n; i++)
			node[7 + i] = hex[n - 1 - i];
		node[7 + n] = '\0';
	}
	fdtw_node_begin(&w, node);
	fdtw_prop_str(&w, "device_type", "memory");
	fdtw_prop_u64_pair(&w, "reg", p->ram_gpa, p->ram_size);
	fdtw_node_end(&w);

	fdtw_node_begin(&w, "cpus");
	fdtw_prop_u32(&w, "#address-cells", 1);
	fdtw_prop_u32(&w, "#size-cells", 0);
	fdtw_prop_u32(&w, "timebase-frequency", (u32)p->timebase);
	/* One cpu@N per vCPU: reg = N is the hart id the guest gets in a0 and
	 * names in SBI calls. Each has its own interrupt controller. */
	for (unsigned n = 0; n < p->vcpus; n++) {
		snprintf(node, sizeof(node), "cpu@%x", n);
		fdtw_node_begin(&w, node);
		fdtw_prop_str(&w, "device_type", "cpu");
		fdtw_prop_u32(&w, "reg", n);
		fdtw_prop_str(&w, "status", "okay");
		fdtw_prop_str(&w, "compatible", "riscv");
		fdtw_prop_str(&w, "riscv,isa", p->isa);
		fdtw_prop_str(&w, "mmu-type", "riscv,sv39");
		fdtw_node_begin(&w, "interrupt-controller");
		fdtw_prop_u32(&w, "#address-cells", 0); /* dtc's interrupt_provider check */
		fdtw_prop_u32(&w, "#interrupt-cells", 1);
		fdtw_prop_empty(&w, "interrupt-controller");
		fdtw_prop_str(&w, "compatible", "riscv,cpu-intc");
		fdtw_prop_u32(&w, "phandle", intc_phandle + n);
		fdtw_node_end(&w);
		fdtw_node_end(&w);
	}
	fdtw_node_end(&w);

	if (p->uart)
		soc(&w, p, intc_phandle);

	fdtw_node_end(&w);
	return fdtw_finish(&w);
}
