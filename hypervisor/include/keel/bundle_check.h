/* bundle_check.h - read the bundle linked into the image (bundle.c).
 * The layout is in keel/bundle.h and docs/design/bundle-format.md. */
#ifndef KEEL_BUNDLE_CHECK_H
#define KEEL_BUNDLE_CHECK_H

#include <keel/bundle.h>

/* The bundle linked into the image (bundle.S, see build-inputs.md). */
extern const u8 __keel_bundle_start[];
extern const u8 __keel_bundle_end[];

struct bundle {
	const u8 *base;
	u64 size;  /* bytes at base (the image: __keel_bundle_end - __keel_bundle_start) */
	const struct keel_bundle_header *hdr;
};

/* Checks the header of the size bytes at base (8-byte aligned). Returns 0,
 * or -1 with *why set. */
int bundle_open(struct bundle *b, const void *base, u64 size, const char **why);

/* Record i (< hdr->capsule_count) of an opened bundle. */
const struct keel_capsule_record *bundle_record(const struct bundle *b, unsigned i);

/* Checks one record's fields and bounds (not the hash). 0 or -1 with *why. */
int bundle_check_record(const struct bundle *b, const struct keel_capsule_record *r,
			const char **why);

/* The record's payload and NUL-terminated bootargs (record already checked). */
const u8 *bundle_payload(const struct bundle *b, const struct keel_capsule_record *r);
const char *bundle_bootargs(const struct bundle *b, const struct keel_capsule_record *r);

/* True if the payload's SHA-256 matches the record. */
bool bundle_payload_verified(const struct bundle *b, const struct keel_capsule_record *r);

#endif
