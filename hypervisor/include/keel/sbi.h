/* sbi.h - the Supervisor Binary Interface the hypervisor offers to guests
 * (riscv-non-isa/riscv-sbi-doc). sbi.c dispatches; each sbi_<ext>.c defines
 * `const struct sbi_ext sbi_ext_<name>`. Which of them are compiled in is the
 * configuration's choice (core/Kconfig, core/Kbuild), and
 * the table of the compiled-in ones is generated from it into
 * <gen>/sbi_table.c (docs/design/hypervisor-config.md). */
#ifndef KEEL_SBI_H
#define KEEL_SBI_H

#include <keel/types.h>

struct vcpu;

/* Error codes (binary-encoding.adoc). */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED (-1)
#define SBI_ERR_NOT_SUPPORTED (-2)
#define SBI_ERR_INVALID_PARAM (-3)
#define SBI_ERR_DENIED (-4)
#define SBI_ERR_INVALID_ADDRESS (-5)
#define SBI_ERR_ALREADY_AVAILABLE (-6)
#define SBI_ERR_ALREADY_STARTED (-7)
#define SBI_ERR_ALREADY_STOPPED (-8)

#define SBI_SPEC_VERSION 0x02000000L  /* v2.0: major in bits 30:24 */
#define SBI_IMPL_ID_KEEL 0x4B45454CL  /* "KEEL" */

/* Extension ids. */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_LEGACY_SHUTDOWN 0x08
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45
#define SBI_EXT_SRST 0x53525354
#define SBI_EXT_DBCN 0x4442434E
#define SBI_EXT_IPI 0x735049
#define SBI_EXT_RFENCE 0x52464E43
#define SBI_EXT_HSM 0x48534D
#define SBI_EXT_KEEL 0x094B454C  /* Keel vendor extension, docs/design/keel-sbi.md */

/* One ecall: a7 = eid, a6 = fid, a0..a5 = args. */
struct sbi_call {
	unsigned long eid;
	unsigned long fid;
	unsigned long args[6];
};

/* The answer: a0 = error, a1 = value. A legacy (v0.1) call returns only
 * a0, which then holds value. */
struct sbi_ret {
	long error;
	long value;
	bool legacy;
};

struct sbi_ext {
	unsigned long eid;
	const char *name;
	bool legacy;  /* v0.1 calling convention */
	struct sbi_ret (*handle)(struct vcpu *v, const struct sbi_call *call);
};

/* The generated table (<gen>/sbi_table.c): the compiled-in extensions. */
extern const struct sbi_ext *const keel_sbi_table[];
extern const unsigned keel_sbi_table_len;

/* Answers one ecall of v. Unknown extensions get SBI_ERR_NOT_SUPPORTED. */
struct sbi_ret sbi_dispatch(struct vcpu *v, const struct sbi_call *call);

/* The vCPUs of a capsule with nr_vcpus vCPUs named by an SBI hart mask
 * (binary-encoding.adoc, "Hart list"; core/sbi_hartmask.c): bit i of mask
 * names hart id base + i; base = -1 names every vCPU. Sets *targets (bit n =
 * vCPU n) and returns SBI_SUCCESS, or SBI_ERR_INVALID_PARAM if a named id is
 * not a vCPU of the capsule. Both words are the guest's: every bit checked. */
long sbi_hart_mask(unsigned nr_vcpus, unsigned long mask, unsigned long base, u64 *targets);

/* Verbose log (log level 2): the extensions compiled in. */
void sbi_log_extensions(void);

/* True if extension eid is compiled in (BASE probe). */
bool sbi_ext_present(unsigned long eid);

static inline struct sbi_ret sbi_ok(long value)
{
	return (struct sbi_ret){ .error = SBI_SUCCESS, .value = value };
}

static inline struct sbi_ret sbi_err(long error)
{
	return (struct sbi_ret){ .error = error, .value = 0 };
}

#endif
