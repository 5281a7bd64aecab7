/* dtbdump.c - print the device tree the hypervisor handed us, byte for
 * byte, so that a host-side test can decode it with dtc and compare it with
 * a golden file (test/boot/dtb.test.ts).
 *
 * Output, one console line each:
 *   dtb: at 0x<GPA of the blob>
 *   dtb: begin <totalsize>
 *   dtb: <64 hex digits>        32 bytes per line, the last may be shorter
 *   ...
 *   dtb: end
 * Lines stay well below the hypervisor's console line buffer
 * (CONFIG_CONSOLE_LINE_MAX, at least 80 bytes), which would otherwise split
 * them. */
#include <guest.h>
#include <fdt.h>

#define BYTES_PER_LINE 32
/* Refuse to walk off into unmapped memory if the header is garbage; the
 * hypervisor's blob area is 16 KiB (KEEL_GUEST_DTB_MAX). */
#define DTB_SANE_MAX 0x10000u

static void dump_line(const u8 *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char line[5 + 2 * BYTES_PER_LINE + 1];
	size_t o = 5;

	memcpy(line, "dtb: ", 5);
	for (size_t i = 0; i < n; i++) {
		line[o++] = hex[p[i] >> 4];
		line[o++] = hex[p[i] & 15];
	}
	line[o++] = '\n';
	console_write(line, o);
}

int main(unsigned long hartid, const void *dtb)
{
	const u8 *p = dtb;
	u32 magic, total;

	(void)hartid;
	printf("dtb: at %#lx\n", (unsigned long)(uptr)dtb);
	magic = fdt_be32(p);
	if (magic != FDT_MAGIC) {
		printf("dtb: FAIL bad magic %#x\n", magic);
		return 1;
	}
	total = fdt_be32(p + 4);
	if (total < 40 || total > DTB_SANE_MAX) {
		printf("dtb: FAIL implausible totalsize %u\n", total);
		return 1;
	}
	printf("dtb: begin %u\n", total);
	for (u32 off = 0; off < total; off += BYTES_PER_LINE) {
		u32 left = total - off;

		dump_line(p + off, left < BYTES_PER_LINE ? left : BYTES_PER_LINE);
	}
	printf("dtb: end\n");
	return 0;
}
