/* test_vplic.c - the emulated PLIC (core/vplic.c) through the device table
 * (core/mmio.c), with fake devices on sources 3 and 10: priorities,
 * thresholds, per-context enables, claim order, completion, the pending
 * register, the level each vCPU gets, and the accesses it must refuse.
 * keel-test-sources: hypervisor/core/vplic.c hypervisor/core/mmio.c */
#include "capsule_fake.h"
#include "check.h"
#include <string.h>
#include <keel/capsule.h>
#include <keel/guest_map.h>
#include <keel/mmio.h>
#include <keel/vplic.h>

static struct capsule cap;
static bool line3, line10;

static bool no_read(struct vcpu *v, void *s, u64 off, unsigned w, u64 *val, bool *f)
{
	(void)v, (void)s, (void)off, (void)w, (void)val, (void)f;
	return false;
}

static bool no_write(struct vcpu *v, void *s, u64 off, unsigned w, u64 val, bool *f)
{
	(void)v, (void)s, (void)off, (void)w, (void)val, (void)f;
	return false;
}

static bool line(struct capsule *c, void *state)
{
	(void)c;
	return *(bool *)state;
}

static const struct mmio_ops line_ops = { .read = no_read, .write = no_write, .line = line };

static u64 rd(unsigned vcpu, u64 off)
{
	u64 val = 0xdead;

	CHECK_EQ(mmio_access(&cap.vcpus[vcpu], VPLIC_BASE + off, 4, false, &val), MMIO_DONE);
	return val;
}

static void wr(unsigned vcpu, u64 off, u64 val)
{
	CHECK_EQ(mmio_access(&cap.vcpus[vcpu], VPLIC_BASE + off, 4, true, &val), MMIO_DONE);
}

#define PRIO(s) (4 * (s))
#define PENDING 0x1000
#define ENABLE(ctx) (0x2000 + 0x80 * (ctx))
#define THRESHOLD(ctx) (0x200000 + 0x1000 * (ctx))
#define CLAIM(ctx) (0x200004 + 0x1000 * (ctx))

int main(void)
{
	const char *why = NULL;
	u64 val;

	capsule_fake(&cap, 0, 2);
	CHECK_EQ(vplic_attach(&cap, &why), 0);
	CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "l3", 0x1000, 8, 3, &line_ops, &line3 }, &why), 0);
	CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "l10", 0x2000, 8, 10, &line_ops, &line10 }, &why), 0);
	mmio_reset(&cap);

	/* Nothing enabled: pending shows the line, nobody sees it. */
	line10 = true;
	CHECK_EQ(rd(0, PENDING), 1u << 10);
	CHECK(!mmio_irq_level(&cap.vcpus[0]));
	CHECK_EQ(rd(0, CLAIM(1)), 0);

	/* vCPU 0's S context (1) enables 10 at priority 1: its level, not vCPU 1's. */
	wr(0, PRIO(10), 1);
	wr(0, ENABLE(1), 1u << 10);
	CHECK_EQ(rd(0, ENABLE(1)), 1u << 10);
	CHECK(mmio_irq_level(&cap.vcpus[0]));
	CHECK(!mmio_irq_level(&cap.vcpus[1]));
	/* The M context (0) of vCPU 0 is never what the level follows. */
	wr(0, ENABLE(0), 1u << 10);
	CHECK(!mmio_irq_level(&cap.vcpus[1]));

	/* Claim: 10, then nothing pending until completed; a level source comes back. */
	CHECK_EQ(rd(0, CLAIM(1)), 10);
	CHECK_EQ(rd(0, PENDING), 0);
	CHECK(!mmio_irq_level(&cap.vcpus[0]));
	CHECK_EQ(rd(0, CLAIM(1)), 0);
	wr(0, CLAIM(1), 10);
	CHECK(mmio_irq_level(&cap.vcpus[0]));
	line10 = false;
	CHECK(!mmio_irq_level(&cap.vcpus[0]));

	/* Two sources: the higher priority first, then the other. */
	line3 = line10 = true;
	wr(0, PRIO(3), 2);
	wr(0, ENABLE(1), (1u << 3) | (1u << 10));
	CHECK_EQ(rd(0, PENDING), (1u << 3) | (1u << 10));
	CHECK_EQ(rd(0, CLAIM(1)), 3);
	CHECK_EQ(rd(0, CLAIM(1)), 10);
	CHECK_EQ(rd(0, CLAIM(1)), 0);
	wr(0, CLAIM(1), 3);
	wr(0, CLAIM(1), 10);
	/* Equal priorities: the lower number. */
	wr(0, PRIO(10), 2);
	CHECK_EQ(rd(0, CLAIM(1)), 3);
	wr(0, CLAIM(1), 3);
	/* Threshold: only priorities above it. */
	wr(0, THRESHOLD(1), 2);
	CHECK_EQ(rd(0, THRESHOLD(1)), 2);
	CHECK(!mmio_irq_level(&cap.vcpus[0]));
	CHECK_EQ(rd(0, CLAIM(1)), 0);
	wr(0, PRIO(10), 3);
	CHECK_EQ(rd(0, CLAIM(1)), 10);
	wr(0, CLAIM(1), 10);
	wr(0, THRESHOLD(1), 0);

	/* vCPU 1's context 3; a claim there holds the source for everyone. */
	wr(1, ENABLE(3), 1u << 3);
	CHECK(mmio_irq_level(&cap.vcpus[1]));
	CHECK_EQ(rd(1, CLAIM(3)), 3);
	CHECK_EQ(rd(0, CLAIM(1)), 10);  /* 3 is in service */
	wr(1, CLAIM(3), 3);
	wr(0, CLAIM(1), 10);

	/* Values are masked: priority to 7, enables to sources 1..ndev. */
	wr(0, PRIO(5), 0xff);
	CHECK_EQ(rd(0, PRIO(5)), 7);
	CHECK_EQ(rd(0, PRIO(0)), 0);
	wr(0, PRIO(0), 5);
	CHECK_EQ(rd(0, PRIO(0)), 0);
	wr(0, ENABLE(1), 0xffffffff);
	CHECK_EQ(rd(0, ENABLE(1)), ((1u << VPLIC_NDEV) - 1) << 1);
	/* Completing what is not claimed, or no source at all, changes nothing. */
	wr(0, CLAIM(1), 0);
	wr(0, CLAIM(1), 31);
	wr(0, CLAIM(1), 0xffffffff);
	CHECK_EQ(rd(0, PENDING), (1u << 3) | (1u << 10));

	/* Refused: other widths, contexts of vCPUs it does not have, holes. */
	CHECK_EQ(mmio_access(&cap.vcpus[0], VPLIC_BASE + PRIO(1), 1, false, &val), MMIO_BAD);
	CHECK_EQ(mmio_access(&cap.vcpus[0], VPLIC_BASE + PRIO(1), 8, true, &val), MMIO_BAD);
	CHECK_EQ(mmio_access(&cap.vcpus[0], VPLIC_BASE + ENABLE(4), 4, false, &val), MMIO_BAD);
	CHECK_EQ(mmio_access(&cap.vcpus[0], VPLIC_BASE + ENABLE(1) + 4, 4, false, &val), MMIO_BAD);
	CHECK_EQ(mmio_access(&cap.vcpus[0], VPLIC_BASE + CLAIM(4), 4, false, &val), MMIO_BAD);
	CHECK_EQ(mmio_access(&cap.vcpus[0], VPLIC_BASE + THRESHOLD(1) + 8, 4, true, &val), MMIO_BAD);
	CHECK_EQ(mmio_access(&cap.vcpus[0], VPLIC_BASE + PRIO(VPLIC_NDEV + 1), 4, false, &val), MMIO_BAD);
	CHECK_EQ(mmio_access(&cap.vcpus[0], VPLIC_BASE + PENDING + 4, 4, false, &val), MMIO_BAD);
	CHECK_EQ(mmio_access(&cap.vcpus[0], VPLIC_BASE + VPLIC_SIZE - 4, 4, false, &val), MMIO_BAD);

	/* Reset: everything off. */
	mmio_reset(&cap);
	CHECK_EQ(rd(0, PRIO(3)), 0);
	CHECK_EQ(rd(0, ENABLE(1)), 0);
	CHECK(!mmio_irq_level(&cap.vcpus[0]) && !mmio_irq_level(&cap.vcpus[1]));
	return check_done("vplic");
}
