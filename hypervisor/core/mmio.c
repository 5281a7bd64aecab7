/* mmio.c - a capsule's device table and the door into it (see keel/mmio.h).
 * Every value here that the guest chose (gpa, width, the value stored) is
 * checked by the device that gets it; the table only picks the device. */
#include <keel/capsule.h>
#include <keel/mmio.h>

/* True if gpa lies in d's window (overflow-safe). */
static bool covers(const struct mmio_device *d, u64 gpa)
{
	return gpa >= d->base && gpa - d->base < d->size;
}

int mmio_register(struct capsule *c, const struct mmio_device *d, const char **why)
{
	struct mmio_table *t = &c->devices;

	if (t->count == MMIO_MAX_DEVICES) {
		*why = "too many emulated devices";
		return -1;
	}
	if (d->size == 0 || d->base + d->size < d->base) {
		*why = "emulated device window empty or wrapping";
		return -1;
	}
	for (unsigned i = 0; i < t->count; i++) {
		const struct mmio_device *o = &t->dev[i];

		if (d->base < o->base + o->size && o->base < d->base + d->size) {
			*why = "emulated device windows overlap";
			return -1;
		}
	}
	t->dev[t->count++] = *d;
	return 0;
}

static const struct mmio_device *find(const struct capsule *c, u64 gpa)
{
	const struct mmio_table *t = &c->devices;

	for (unsigned i = 0; i < t->count; i++)
		if (covers(&t->dev[i], gpa))
			return &t->dev[i];
	return NULL;
}

bool mmio_mapped(const struct capsule *c, u64 gpa)
{
	return find(c, gpa) != NULL;
}

enum mmio_result mmio_access(struct vcpu *v, u64 gpa, unsigned width, bool store, u64 *val)
{
	struct capsule *c = v->capsule;
	const struct mmio_device *d = find(c, gpa);
	bool ok, finish = false;

	if (!d)
		return MMIO_UNMAPPED;
	if (d->ops->prepare)
		d->ops->prepare(v, d->state, store);
	spin_lock(&c->devices.lock);
	if (store)
		ok = d->ops->write(v, d->state, gpa - d->base, width, *val, &finish);
	else
		ok = d->ops->read(v, d->state, gpa - d->base, width, val, &finish);
	spin_unlock(&c->devices.lock);
	if (finish && d->ops->finish)
		d->ops->finish(v, d->state);
	return ok ? MMIO_DONE : MMIO_BAD;
}

bool mmio_source_level(struct capsule *c, unsigned irq)
{
	const struct mmio_table *t = &c->devices;

	for (unsigned i = 0; i < t->count; i++) {
		const struct mmio_device *d = &t->dev[i];

		if (d->irq == irq && d->ops->line && d->ops->line(c, d->state))
			return true;
	}
	return false;
}

bool mmio_irq_level(struct vcpu *v)
{
	struct capsule *c = v->capsule;
	struct mmio_table *t = &c->devices;
	bool level = false;

	if (t->count == 0)
		return false;
	spin_lock(&t->lock);
	for (unsigned i = 0; i < t->count; i++) {
		const struct mmio_device *d = &t->dev[i];

		if (d->ops->vcpu_level) {
			level = d->ops->vcpu_level(v, d->state);
			break;
		}
	}
	spin_unlock(&t->lock);
	return level;
}

void mmio_reset(struct capsule *c)
{
	struct mmio_table *t = &c->devices;

	spin_lock(&t->lock);
	for (unsigned i = 0; i < t->count; i++)
		if (t->dev[i].ops->reset)
			t->dev[i].ops->reset(t->dev[i].state);
	spin_unlock(&t->lock);
}
