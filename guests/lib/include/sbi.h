/* sbi.h - Supervisor Binary Interface calls (riscv-sbi-doc).
 *
 * a7 = extension id (EID), a6 = function id (FID), a0..a5 = arguments;
 * the SEE returns an error code in a0 and a value in a1. Legacy (v0.1)
 * extensions 0x00..0x08 have no FID and return only a0. */
#ifndef GUEST_SBI_H
#define GUEST_SBI_H

#include <types.h>

struct sbiret {
	long error;
	long value;
};

/* Standard error codes (binary-encoding.adoc). */
#define SBI_SUCCESS 0
#define SBI_ERR_FAILED -1
#define SBI_ERR_NOT_SUPPORTED -2
#define SBI_ERR_INVALID_PARAM -3
#define SBI_ERR_DENIED -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6
#define SBI_ERR_ALREADY_STARTED -7
#define SBI_ERR_ALREADY_STOPPED -8

/* Legacy extensions (v0.1). */
#define SBI_EXT_LEGACY_SET_TIMER 0x00
#define SBI_EXT_LEGACY_PUTCHAR 0x01
#define SBI_EXT_LEGACY_GETCHAR 0x02
#define SBI_EXT_LEGACY_SHUTDOWN 0x08

/* Extension ids. */
#define SBI_EXT_BASE 0x10
#define SBI_EXT_TIME 0x54494D45  /* "TIME" */
#define SBI_EXT_IPI 0x735049     /* "sPI" */
#define SBI_EXT_RFENCE 0x52464E43 /* "RFNC" */
#define SBI_EXT_HSM 0x48534D     /* "HSM" */
#define SBI_EXT_SRST 0x53525354  /* "SRST" */
#define SBI_EXT_DBCN 0x4442434E  /* "DBCN" */

/* BASE functions. */
#define SBI_BASE_GET_SPEC_VERSION 0
#define SBI_BASE_GET_IMPL_ID 1
#define SBI_BASE_GET_IMPL_VERSION 2
#define SBI_BASE_PROBE_EXTENSION 3
#define SBI_BASE_GET_MVENDORID 4
#define SBI_BASE_GET_MARCHID 5
#define SBI_BASE_GET_MIMPID 6

/* TIME, IPI, RFENCE functions. */
#define SBI_TIME_SET_TIMER 0
#define SBI_IPI_SEND_IPI 0
#define SBI_RFENCE_FENCE_I 0
#define SBI_RFENCE_SFENCE_VMA 1
#define SBI_RFENCE_SFENCE_VMA_ASID 2

/* HSM functions and hart states. */
#define SBI_HSM_HART_START 0
#define SBI_HSM_HART_STOP 1
#define SBI_HSM_HART_GET_STATUS 2
#define SBI_HSM_HART_SUSPEND 3
#define SBI_HSM_STATE_STARTED 0
#define SBI_HSM_STATE_STOPPED 1
#define SBI_HSM_STATE_START_PENDING 2
#define SBI_HSM_STATE_STOP_PENDING 3
#define SBI_HSM_STATE_SUSPENDED 4
#define SBI_HSM_SUSPEND_RETENTIVE 0x00000000UL
#define SBI_HSM_SUSPEND_NON_RETENTIVE 0x80000000UL

/* SRST: one function, reset(type, reason). */
#define SBI_SRST_SYSTEM_RESET 0
#define SBI_SRST_TYPE_SHUTDOWN 0
#define SBI_SRST_TYPE_COLD_REBOOT 1
#define SBI_SRST_TYPE_WARM_REBOOT 2
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

/* DBCN functions (SBI 2.0). Buffer addresses are (guest-)physical. */
#define SBI_DBCN_WRITE 0
#define SBI_DBCN_READ 1
#define SBI_DBCN_WRITE_BYTE 2

/* Spec version encoding: major in bits 30:24, minor in bits 23:0. */
#define SBI_SPEC_VERSION(major, minor) (((long)(major) << 24) | (long)(minor))

/* Keel's BASE impl_id: "KEEL" in ASCII. */
#define SBI_IMPL_ID_KEEL 0x4B45454C

struct sbiret sbi_ecall(long eid, long fid, unsigned long a0, unsigned long a1,
			unsigned long a2, unsigned long a3, unsigned long a4,
			unsigned long a5);

/* BASE */
struct sbiret sbi_get_spec_version(void);
struct sbiret sbi_get_impl_id(void);
struct sbiret sbi_get_impl_version(void);
struct sbiret sbi_probe_extension(long eid);

/* TIME: fire a timer interrupt once time >= stime; also clears a pending one. */
struct sbiret sbi_set_timer(u64 stime);

/* IPI and RFENCE */
struct sbiret sbi_send_ipi(unsigned long hart_mask, unsigned long hart_mask_base);
struct sbiret sbi_remote_fence_i(unsigned long hart_mask, unsigned long hart_mask_base);
struct sbiret sbi_remote_sfence_vma(unsigned long hart_mask, unsigned long hart_mask_base,
				    unsigned long start, unsigned long size);
struct sbiret sbi_remote_sfence_vma_asid(unsigned long hart_mask, unsigned long hart_mask_base,
					 unsigned long start, unsigned long size, unsigned long asid);

/* HSM */
struct sbiret sbi_hart_start(unsigned long hartid, unsigned long start_addr,
			     unsigned long opaque);
struct sbiret sbi_hart_stop(void);
struct sbiret sbi_hart_get_status(unsigned long hartid);
/* Retentive: returns (0) once an enabled interrupt is pending. Non-retentive:
 * on success does not return; the hart restarts at resume_addr with
 * a0 = hartid, a1 = opaque. */
struct sbiret sbi_hart_suspend(u32 suspend_type, unsigned long resume_addr,
			       unsigned long opaque);

/* SRST: does not return on success. */
struct sbiret sbi_system_reset(u32 type, u32 reason);

/* DBCN */
struct sbiret sbi_debug_console_write(unsigned long num_bytes, unsigned long base_lo,
				      unsigned long base_hi);
struct sbiret sbi_debug_console_write_byte(u8 byte);

/* Legacy v0.1 calls. */
long sbi_legacy_set_timer(u64 stime);
long sbi_legacy_putchar(int c);
long sbi_legacy_getchar(void);
void sbi_legacy_shutdown(void);

#endif
