/* machine.c - the machine as a whole (see keel/machine.h): its owner, its
 * ending and its power-off. Which capsules stop, and when the machine is
 * told to end, is the lifecycle's (core/lifecycle.c). */
#include <keel/console.h>
#include <keel/machine.h>
#include <keel/poweroff.h>

/* Set on the boot hart before the others run. */
static struct capsule *owner;
/* Under the scheduler lock. */
static bool ending;
/* Set once: the summary is printed, power is going. */
static u32 off;

void machine_claim_owner(struct capsule *c)
{
	if (!owner)
		owner = c;
}

struct capsule *machine_owner(void)
{
	return owner;
}

bool machine_ending(void)
{
	return ending;
}

void machine_set_ending(void)
{
	ending = true;
}

void machine_power_off(void)
{
	unsigned ok = 0, n = capsule_count;
	bool clean;

	if (__atomic_exchange_n(&off, 1, __ATOMIC_SEQ_CST))
		return;
	for (unsigned i = 0; i < n; i++)
		if (capsules[i].outcome == CAPSULE_CLEAN)
			ok++;
	clean = owner ? owner->outcome == CAPSULE_CLEAN : ok == n;
	klog("all capsules ended: %u clean, %u failed", ok, n - ok);
	poweroff(clean ? 0 : 1);
}
