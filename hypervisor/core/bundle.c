/* bundle.c - read and check the capsule bundle linked into the image.
 * Layout: keel/bundle.h, docs/design/bundle-format.md. Every offset is
 * checked against the bundle's real size before it is used: a corrupt bundle
 * gives an error message, never a wild read. Pure (no linker symbol, no
 * hardware): host-tested and fuzzed in test/c/. */
#include <keel/bundle_check.h>
#include <keel/config.h>
#include <keel/lib.h>
#include <keel/sha256.h>

/* True if [off, off+len) lies inside [0, size). */
static bool inside(u64 off, u64 len, u64 size)
{
	return off <= size && len <= size - off;
}

int bundle_open(struct bundle *b, const void *base, u64 size, const char **why)
{
	const struct keel_bundle_header *h = base;

	b->base = base;
	b->size = size;
	b->hdr = h;
	*why = NULL;

	if (b->size < sizeof(*h) || memcmp(h->magic, KEEL_BUNDLE_MAGIC, 8) != 0)
		*why = "bad magic";
	else if (h->version != KEEL_BUNDLE_VERSION)
		*why = "unsupported version";
	else if (h->header_size != sizeof(struct keel_bundle_header) ||
		 h->record_size != sizeof(struct keel_capsule_record))
		*why = "header or record size mismatch";
	else if (h->total_size > b->size)
		*why = "total size beyond the linked bundle";
	else if (h->capsule_count > CONFIG_MAX_CAPSULES)
		*why = "more capsules than CONFIG_MAX_CAPSULES";
	else if (!inside(h->header_size, (u64)h->capsule_count * h->record_size, h->total_size))
		*why = "records outside the bundle";
	else if (!inside(h->strings_offset, h->strings_size, h->total_size))
		*why = "string table outside the bundle";
	return *why ? -1 : 0;
}

const struct keel_capsule_record *bundle_record(const struct bundle *b, unsigned i)
{
	return (const struct keel_capsule_record *)(b->base + b->hdr->header_size) + i;
}

int bundle_check_record(const struct bundle *b, const struct keel_capsule_record *r,
			const char **why)
{
	const struct keel_bundle_header *h = b->hdr;
	size_t name_len = strnlen(r->name, KEEL_BUNDLE_NAME_MAX);

	*why = NULL;
	if (name_len == 0 || name_len >= KEEL_BUNDLE_NAME_MAX)
		*why = "name empty or not NUL-terminated";
	else if (r->payload_kind != KEEL_PAYLOAD_ELF)
		*why = "unknown payload kind";
	else if (r->flags & ~KEEL_CAPSULE_FLAGS_KNOWN)
		*why = "unknown flags";
	else if ((r->payload_offset & 4095) != 0 || !inside(r->payload_offset, r->payload_size, h->total_size))
		*why = "payload misaligned or outside the bundle";
	else if (r->ram_size == 0 || (r->ram_size & (KEEL_CAPSULE_ALIGN - 1)) != 0)
		*why = "RAM size not a non-zero multiple of 2 MiB";
	else if (r->ram_size > KEEL_GUEST_RAM_MAX)
		*why = "RAM size above 1 GiB";
	else if (r->vcpus == 0)
		*why = "no vCPU";
	else if (r->priority > KEEL_PRIORITY_HIGH)
		*why = "unknown priority";
	else if (r->restart > KEEL_RESTART_ALWAYS)
		*why = "unknown restart policy";
	/* bootargs_offset counts from the bundle start (as every offset does) and
	 * must point into the string table, with a NUL right after. */
	else if (r->bootargs_offset < h->strings_offset ||
		 !inside(r->bootargs_offset - h->strings_offset, (u64)r->bootargs_len + 1, h->strings_size) ||
		 b->base[r->bootargs_offset + r->bootargs_len] != '\0')
		*why = "bootargs outside the string table";
	return *why ? -1 : 0;
}

const u8 *bundle_payload(const struct bundle *b, const struct keel_capsule_record *r)
{
	return b->base + r->payload_offset;
}

const char *bundle_bootargs(const struct bundle *b, const struct keel_capsule_record *r)
{
	return (const char *)b->base + r->bootargs_offset;
}

bool bundle_payload_verified(const struct bundle *b, const struct keel_capsule_record *r)
{
	u8 digest[SHA256_DIGEST_SIZE];

	sha256(bundle_payload(b, r), r->payload_size, digest);
	return memcmp(digest, r->sha256, sizeof(digest)) == 0;
}
