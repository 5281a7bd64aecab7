/* sbi_base.c - SBI Base extension (EID 0x10, riscv-sbi-doc ext-base.adoc):
 * versions, implementation id, extension probe, machine ids. */
#include <keel/build_info.h>
#include <keel/hart.h>
#include <keel/sbi.h>

#define BASE_GET_SPEC_VERSION 0
#define BASE_GET_IMPL_ID 1
#define BASE_GET_IMPL_VERSION 2
#define BASE_PROBE_EXTENSION 3
#define BASE_GET_MVENDORID 4
#define BASE_GET_MARCHID 5
#define BASE_GET_MIMPID 6

/* Keel "major.minor.patch" as (major << 16) | (minor << 8) | patch. */
static long impl_version(void)
{
	const char *s = keel_build_info.version;
	long part[3] = { 0, 0, 0 };

	for (int i = 0; i < 3 && s && *s; i++) {
		while (*s >= '0' && *s <= '9')
			part[i] = part[i] * 10 + (*s++ - '0');
		if (*s != '.')
			break;
		s++;
	}
	return ((part[0] & 0xff) << 16) | ((part[1] & 0xff) << 8) | (part[2] & 0xff);
}

static struct sbi_ret base_handle(struct vcpu *v, const struct sbi_call *call)
{
	(void)v;
	switch (call->fid) {
	case BASE_GET_SPEC_VERSION:
		return sbi_ok(SBI_SPEC_VERSION);
	case BASE_GET_IMPL_ID:
		return sbi_ok(SBI_IMPL_ID_KEEL);
	case BASE_GET_IMPL_VERSION:
		return sbi_ok(impl_version());
	case BASE_PROBE_EXTENSION:
		return sbi_ok(sbi_ext_present(call->args[0]) ? 1 : 0);
	case BASE_GET_MVENDORID:
		return sbi_ok((long)hart_mvendorid());
	case BASE_GET_MARCHID:
		return sbi_ok((long)hart_marchid());
	case BASE_GET_MIMPID:
		return sbi_ok((long)hart_mimpid());
	default:
		return sbi_err(SBI_ERR_NOT_SUPPORTED);
	}
}

const struct sbi_ext sbi_ext_base = { .eid = SBI_EXT_BASE, .name = "base", .handle = base_handle };
