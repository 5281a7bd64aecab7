/* capsule_fake.h - a capsule for the host tests: nr_vcpus vCPUs that know
 * their capsule and id, everything else zero (as capsule_create leaves the
 * fields these tests do not set). */
#ifndef TEST_C_CAPSULE_FAKE_H
#define TEST_C_CAPSULE_FAKE_H

#include <string.h>
#include <keel/capsule.h>

static inline void capsule_fake(struct capsule *c, unsigned id, unsigned nr_vcpus)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->nr_vcpus = nr_vcpus;
	for (unsigned n = 0; n < CONFIG_MAX_VCPUS; n++) {
		c->vcpus[n].capsule = c;
		c->vcpus[n].id = n;
	}
}

#endif
