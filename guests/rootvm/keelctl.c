/* keelctl - control Keel capsules from the root VM (static, riscv64 Linux userland).
 *
 * Talks to the hypervisor through the Keel vendor SBI extension, EID 0x094B454C ("\x09KEL"), documented in
 * docs/design/keel-sbi.md: list capsules, stop/start/restart one, print the hypervisor log. keelctl runs in
 * VU-mode, so its ecall reaches the hypervisor only when Keel intercepts ecalls carrying this EID; otherwise
 * Linux takes it as an unknown system call and returns -ENOSYS, which keelctl reports as "extension absent".
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEEL_SBI_EID 0x094B454CUL
enum { KEEL_FID_LIST = 0, KEEL_FID_STOP = 1, KEEL_FID_START = 2, KEEL_FID_RESTART = 3, KEEL_FID_LOG = 4 };

/* One record of KEEL_FID_LIST (64 bytes, little-endian). */
struct keel_capsule_info {
	char name[32];
	uint32_t id;
	uint32_t state;
	uint32_t vcpus;
	uint32_t reserved;
	uint64_t ram_size;
	uint64_t uptime_ms;
};

struct sbiret {
	long error;
	long value;
};

static struct sbiret keel_call(unsigned long fid, unsigned long a0, unsigned long a1, unsigned long a2)
{
	register unsigned long r0 __asm__("a0") = a0;
	register unsigned long r1 __asm__("a1") = a1;
	register unsigned long r2 __asm__("a2") = a2;
	register unsigned long r6 __asm__("a6") = fid;
	register unsigned long r7 __asm__("a7") = KEEL_SBI_EID;
	__asm__ volatile("ecall" : "+r"(r0), "+r"(r1) : "r"(r2), "r"(r6), "r"(r7) : "memory");
	return (struct sbiret){ (long)r0, (long)r1 };
}

static const char *sbi_error(long e)
{
	switch (e) {
	case -1: return "failed";
	case -2: return "not supported";
	case -3: return "invalid parameter (no such capsule)";
	/* keelctl's ecalls reach Keel only from the capsule that owns the machine (docs/design/keel-sbi.md), and
	 * that one is denied only on itself. */
	case -4: return "denied (the root VM cannot stop or restart itself: use poweroff or reboot)";
	case -5: return "invalid address";
	case -7: return "already running";
	case -8: return "already stopped";
	case -ENOSYS: return "the Keel SBI extension is absent (not running under Keel, or Keel does not offer it yet)";
	default: return "unknown error";
	}
}

static const char *state_name(uint32_t s)
{
	static const char *names[] = { "stopped", "running", "crashed", "rebooting" };
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

static int usage(FILE *to)
{
	fputs("usage: keelctl list | stop <capsule> | start <capsule> | restart <capsule> | log\n"
	      "Controls Keel capsules through the Keel vendor SBI extension (EID 0x094B454C).\n",
	      to);
	return to == stderr ? 2 : 0;
}

#define MAX_CAPSULES 64
static struct keel_capsule_info caps[MAX_CAPSULES];

static long list(void)
{
	memset(caps, 0, sizeof(caps)); /* fault the buffer in: the hypervisor writes it through the page tables */
	struct sbiret r = keel_call(KEEL_FID_LIST, (unsigned long)caps, sizeof(caps), 0);
	if (r.error) {
		fprintf(stderr, "keelctl: list: %s\n", sbi_error(r.error));
		return -1;
	}
	return r.value < MAX_CAPSULES ? r.value : MAX_CAPSULES;
}

static int cmd_list(void)
{
	long n = list();
	if (n < 0)
		return 1;
	printf("%-4s %-20s %-10s %5s %10s %12s\n", "ID", "CAPSULE", "STATE", "VCPUS", "RAM", "UPTIME");
	for (long i = 0; i < n; i++) {
		const struct keel_capsule_info *c = &caps[i];
		printf("%-4u %-20.31s %-10s %5u %8lluM %10llu.%llus\n", c->id, c->name, state_name(c->state),
		       c->vcpus, (unsigned long long)(c->ram_size >> 20),
		       (unsigned long long)(c->uptime_ms / 1000), (unsigned long long)(c->uptime_ms % 1000 / 100));
	}
	return 0;
}

static int cmd_control(unsigned long fid, const char *verb, const char *name)
{
	long n = list();
	if (n < 0)
		return 1;
	for (long i = 0; i < n; i++) {
		if (strncmp(caps[i].name, name, sizeof(caps[i].name)) != 0)
			continue;
		struct sbiret r = keel_call(fid, caps[i].id, 0, 0);
		if (r.error) {
			fprintf(stderr, "keelctl: %s %s: %s\n", verb, name, sbi_error(r.error));
			return 1;
		}
		printf("keelctl: %s %s: ok\n", verb, name);
		return 0;
	}
	fprintf(stderr, "keelctl: no capsule named \"%s\" (keelctl list shows them)\n", name);
	return 1;
}

static int cmd_log(void)
{
	static char buf[4096];
	unsigned long offset = 0;
	for (;;) {
		memset(buf, 0, sizeof(buf));
		struct sbiret r = keel_call(KEEL_FID_LOG, (unsigned long)buf, sizeof(buf), offset);
		if (r.error) {
			fprintf(stderr, "keelctl: log: %s\n", sbi_error(r.error));
			return 1;
		}
		if (r.value <= 0)
			return 0;
		fwrite(buf, 1, (size_t)r.value, stdout);
		offset += (unsigned long)r.value;
	}
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage(stderr);
	const char *cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help"))
		return usage(stdout);
	if (!strcmp(cmd, "list") && argc == 2)
		return cmd_list();
	if (!strcmp(cmd, "log") && argc == 2)
		return cmd_log();
	if (argc == 3 && !strcmp(cmd, "stop"))
		return cmd_control(KEEL_FID_STOP, cmd, argv[2]);
	if (argc == 3 && !strcmp(cmd, "start"))
		return cmd_control(KEEL_FID_START, cmd, argv[2]);
	if (argc == 3 && !strcmp(cmd, "restart"))
		return cmd_control(KEEL_FID_RESTART, cmd, argv[2]);
	return usage(stderr);
}
