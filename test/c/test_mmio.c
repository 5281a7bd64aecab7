/* test_mmio.c - a capsule's device table (core/mmio.c): registration rules
 * (full table, overlapping or wrapping windows), the door mmio_access
 * (unmapped / done / bad, offsets from the device's base, prepare and
 * finish around the locked handler), and interrupt levels through the
 * controller device.
 * keel-test-sources: hypervisor/core/mmio.c */
#include "capsule_fake.h"
#include "check.h"
#include <string.h>
#include <keel/capsule.h>
#include <keel/mmio.h>

/* A device with 8 byte registers, a line and a log of what it saw. */
struct fake {
	u8 reg[8];
	bool line;
	unsigned prepares, finishes, resets;
	u64 last_off;
	bool locked_in_handler;
};

static struct capsule cap;

static bool fake_read(struct vcpu *v, void *state, u64 off, unsigned width, u64 *val, bool *finish)
{
	struct fake *f = state;

	(void)v;
	f->last_off = off;
	f->locked_in_handler = cap.devices.lock.locked != 0;
	if (width != 1 || off >= 8)
		return false;
	*val = f->reg[off];
	*finish = off == 7;
	return true;
}

static bool fake_write(struct vcpu *v, void *state, u64 off, unsigned width, u64 val, bool *finish)
{
	struct fake *f = state;

	(void)v;
	(void)finish;
	f->last_off = off;
	if (width != 1 || off >= 8)
		return false;
	f->reg[off] = (u8)val;
	f->line = off == 0 && val != 0;
	return true;
}

static void fake_prepare(struct vcpu *v, void *state, bool store)
{
	(void)v;
	(void)store;
	((struct fake *)state)->prepares++;
}

static void fake_finish(struct vcpu *v, void *state)
{
	(void)v;
	((struct fake *)state)->finishes++;
}

static bool fake_line(struct capsule *c, void *state)
{
	(void)c;
	return ((struct fake *)state)->line;
}

static void fake_reset(void *state)
{
	struct fake *f = state;

	memset(f->reg, 0, sizeof(f->reg));
	f->line = false;
	f->resets++;
}

/* The controller: vCPU n sees source 5 when bit n of its mask is set. */
static unsigned ctl_mask;

static bool ctl_level(struct vcpu *v, void *state)
{
	(void)state;
	return (ctl_mask & (1u << v->id)) && mmio_source_level(v->capsule, 5);
}

static bool ctl_read(struct vcpu *v, void *state, u64 off, unsigned width, u64 *val, bool *finish)
{
	(void)v, (void)state, (void)off, (void)width, (void)finish;
	*val = 0;
	return true;
}

static bool ctl_write(struct vcpu *v, void *state, u64 off, unsigned width, u64 val, bool *finish)
{
	(void)v, (void)state, (void)off, (void)width, (void)finish;
	ctl_mask = (unsigned)val;
	return true;
}

static const struct mmio_ops fake_ops = {
	.prepare = fake_prepare,
	.read = fake_read,
	.write = fake_write,
	.finish = fake_finish,
	.line = fake_line,
	.reset = fake_reset,
};

static const struct mmio_ops ctl_ops = { .read = ctl_read, .write = ctl_write, .vcpu_level = ctl_level };

int main(void)
{
	struct fake a = { 0 }, b = { 0 };
	const char *why = NULL;
	u64 val;

	capsule_fake(&cap, 0, 4);
	struct vcpu *v0 = &cap.vcpus[0];

	/* No device: unmapped, no level, nobody told. */
	CHECK(!mmio_mapped(&cap, 0x1000));
	CHECK_EQ(mmio_access(v0, 0x1000, 1, false, &val), MMIO_UNMAPPED);
	CHECK(!mmio_irq_level(v0));

	CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "a", 0x1000, 0x100, 5, &fake_ops, &a }, &why), 0);
	CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "b", 0x2000, 0x10, 0, &fake_ops, &b }, &why), 0);
	CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "ctl", 0x9000, 0x10, 0, &ctl_ops, NULL }, &why), 0);
	/* Overlaps at either end, and a window that wraps, are refused. */
	CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "x", 0x10ff, 0x2, 0, &fake_ops, &b }, &why), -1);
	CHECK_WHY(why, "emulated device windows overlap");
	CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "x", 0xf00, 0x101, 0, &fake_ops, &b }, &why), -1);
	CHECK_WHY(why, "emulated device windows overlap");
	CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "x", ~0UL - 4, 0x10, 0, &fake_ops, &b }, &why), -1);
	CHECK_WHY(why, "emulated device window empty or wrapping");
	CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "x", 0x5000, 0, 0, &fake_ops, &b }, &why), -1);
	CHECK_EQ(cap.devices.count, 3);

	/* Lookup: each window exactly, offsets from its base. */
	CHECK(mmio_mapped(&cap, 0x1000) && mmio_mapped(&cap, 0x10ff) && !mmio_mapped(&cap, 0x1100));
	CHECK(!mmio_mapped(&cap, 0xfff) && mmio_mapped(&cap, 0x200f) && !mmio_mapped(&cap, 0x2010));
	val = 0x42;
	CHECK_EQ(mmio_access(v0, 0x2003, 1, true, &val), MMIO_DONE);
	CHECK_EQ(b.reg[3], 0x42);
	CHECK_EQ(b.last_off, 3);
	CHECK_EQ(a.prepares, 0);
	val = 0;
	CHECK_EQ(mmio_access(v0, 0x2003, 1, false, &val), MMIO_DONE);
	CHECK_EQ(val, 0x42);
	CHECK(b.locked_in_handler);
	CHECK(cap.devices.lock.locked == 0);
	CHECK_EQ(b.prepares, 2);
	CHECK_EQ(b.finishes, 0);
	CHECK_EQ(mmio_access(v0, 0x2007, 1, false, &val), MMIO_DONE);
	CHECK_EQ(b.finishes, 1);  /* asked for by the handler */
	/* The device refuses: bad, not unmapped. */
	CHECK_EQ(mmio_access(v0, 0x2008, 1, false, &val), MMIO_BAD);
	CHECK_EQ(mmio_access(v0, 0x2000, 4, true, &val), MMIO_BAD);
	CHECK_EQ(mmio_access(v0, 0x1100, 1, true, &val), MMIO_UNMAPPED);

	/* Interrupts: vCPUs 1 and 2 see source 5 through the controller. */
	val = 0x6;
	CHECK_EQ(mmio_access(v0, 0x9000, 4, true, &val), MMIO_DONE);
	CHECK(!mmio_irq_level(&cap.vcpus[1]));
	val = 1;
	CHECK_EQ(mmio_access(&cap.vcpus[1], 0x1000, 1, true, &val), MMIO_DONE);  /* a's line rises */
	CHECK(!mmio_irq_level(&cap.vcpus[0]));
	CHECK(mmio_irq_level(&cap.vcpus[1]));
	CHECK(mmio_irq_level(&cap.vcpus[2]));
	CHECK(!mmio_irq_level(&cap.vcpus[3]));
	CHECK(cap.devices.lock.locked == 0);
	/* A line on another source does not count for source 5. */
	b.line = true;
	a.line = false;
	CHECK(!mmio_irq_level(&cap.vcpus[1]));

	/* Reset reaches every device that has one. */
	mmio_reset(&cap);
	CHECK_EQ(a.resets, 1);
	CHECK_EQ(b.resets, 1);
	CHECK_EQ(b.reg[3], 0);

	/* The table fills up. */
	for (unsigned i = cap.devices.count; i < MMIO_MAX_DEVICES; i++)
		CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "f", 0x100000UL * (i + 1), 0x10, 0, &fake_ops, &b }, &why), 0);
	CHECK_EQ(mmio_register(&cap, &(struct mmio_device){ "g", 0x7000000, 0x10, 0, &fake_ops, &b }, &why), -1);
	CHECK_WHY(why, "too many emulated devices");
	return check_done("mmio");
}
