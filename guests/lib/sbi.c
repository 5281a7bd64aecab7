/* sbi.c - ecall wrappers for the SBI extensions the guests use. */
#include <sbi.h>

/* One ecall. The SEE preserves every register but a0 and a1. */
struct sbiret sbi_ecall(long eid, long fid, unsigned long arg0, unsigned long arg1,
			unsigned long arg2, unsigned long arg3, unsigned long arg4,
			unsigned long arg5)
{
	register unsigned long a0 __asm__("a0") = arg0;
	register unsigned long a1 __asm__("a1") = arg1;
	register unsigned long a2 __asm__("a2") = arg2;
	register unsigned long a3 __asm__("a3") = arg3;
	register unsigned long a4 __asm__("a4") = arg4;
	register unsigned long a5 __asm__("a5") = arg5;
	register unsigned long a6 __asm__("a6") = (unsigned long)fid;
	register unsigned long a7 __asm__("a7") = (unsigned long)eid;
	struct sbiret ret;

	/* "memory": calls such as DBCN write read guest memory. */
	__asm__ volatile("ecall"
			 : "+r"(a0), "+r"(a1)
			 : "r"(a2), "r"(a3), "r"(a4), "r"(a5), "r"(a6), "r"(a7)
			 : "memory");
	ret.error = (long)a0;
	ret.value = (long)a1;
	return ret;
}

struct sbiret sbi_get_spec_version(void)
{
	return sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, 0, 0, 0);
}

struct sbiret sbi_get_impl_id(void)
{
	return sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0, 0, 0, 0);
}

struct sbiret sbi_get_impl_version(void)
{
	return sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0, 0, 0, 0);
}

/* value is 0 if the extension is absent, an extension-specific non-zero
 * value (1 for the standard ones) if present. */
struct sbiret sbi_probe_extension(long eid)
{
	return sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, (unsigned long)eid,
			 0, 0, 0, 0, 0);
}

struct sbiret sbi_set_timer(u64 stime)
{
	return sbi_ecall(SBI_EXT_TIME, SBI_TIME_SET_TIMER, stime, 0, 0, 0, 0, 0);
}

struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_ecall(SBI_EXT_IPI, SBI_IPI_SEND_IPI, hart_mask, hart_mask_base,
			 0, 0, 0, 0);
}

struct sbiret sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base)
{
	return sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_FENCE_I, hart_mask,
			 hart_mask_base, 0, 0, 0, 0);
}

struct sbiret sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
				    unsigned long start, unsigned long size)
{
	return sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA, hart_mask,
			 hart_mask_base, start, size, 0, 0);
}

struct sbiret sbi_remote_sfence_vma_asid(unsigned long hart_mask, unsigned long hart_mask_base,
					 unsigned long start, unsigned long size, unsigned long asid)
{
	return sbi_ecall(SBI_EXT_RFENCE, SBI_RFENCE_SFENCE_VMA_ASID, hart_mask,
			 hart_mask_base, start, size, asid, 0);
}

struct sbiret sbi_hart_start(unsigned long hartid, unsigned long start_addr,
			     unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start_addr, opaque,
			 0, 0, 0);
}

struct sbiret sbi_hart_stop(void)
{
	return sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_STOP, 0, 0, 0, 0, 0, 0);
}

struct sbiret sbi_hart_get_status(unsigned long hartid)
{
	return sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_GET_STATUS, hartid, 0, 0, 0, 0, 0);
}

struct sbiret sbi_hart_suspend(u32 suspend_type, unsigned long resume_addr,
			       unsigned long opaque)
{
	return sbi_ecall(SBI_EXT_HSM, SBI_HSM_HART_SUSPEND, suspend_type, resume_addr,
			 opaque, 0, 0, 0);
}

struct sbiret sbi_system_reset(u32 type, u32 reason)
{
	return sbi_ecall(SBI_EXT_SRST, SBI_SRST_SYSTEM_RESET, type, reason, 0, 0, 0, 0);
}

/* Non-blocking: value is the number of bytes written, maybe fewer than asked. */
struct sbiret sbi_debug_console_write(unsigned long num_bytes, unsigned long base_lo,
				      unsigned long base_hi)
{
	return sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_WRITE, num_bytes, base_lo, base_hi,
			 0, 0, 0);
}

struct sbiret sbi_debug_console_write_byte(u8 byte)
{
	return sbi_ecall(SBI_EXT_DBCN, SBI_DBCN_WRITE_BYTE, byte, 0, 0, 0, 0, 0);
}

/* Legacy calls take their arguments in a0.. and return only a0. */
static long sbi_legacy(long eid, unsigned long arg0)
{
	return sbi_ecall(eid, 0, arg0, 0, 0, 0, 0, 0).error;
}

long sbi_legacy_set_timer(u64 stime)
{
	return sbi_legacy(SBI_EXT_LEGACY_SET_TIMER, stime);
}

long sbi_legacy_putchar(int c)
{
	return sbi_legacy(SBI_EXT_LEGACY_PUTCHAR, (unsigned char)c);
}

/* The character, or -1 if none is waiting. */
long sbi_legacy_getchar(void)
{
	return sbi_legacy(SBI_EXT_LEGACY_GETCHAR, 0);
}

void sbi_legacy_shutdown(void)
{
	sbi_legacy(SBI_EXT_LEGACY_SHUTDOWN, 0);
}
