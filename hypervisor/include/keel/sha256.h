/* sha256.h - SHA-256 (FIPS 180-4), used to check bundle payloads. */
#ifndef KEEL_SHA256_H
#define KEEL_SHA256_H

#include <keel/types.h>

#define SHA256_DIGEST_SIZE 32

struct sha256_ctx {
	u32 state[8];
	u64 length;   /* bytes hashed so far */
	u8 block[64];
	u32 used;     /* bytes waiting in block */
};

void sha256_init(struct sha256_ctx *ctx);
void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len);
void sha256_final(struct sha256_ctx *ctx, u8 digest[SHA256_DIGEST_SIZE]);
/* One-shot helper. */
void sha256(const void *data, size_t len, u8 digest[SHA256_DIGEST_SIZE]);

#endif
