/* sha256.c - SHA-256 as specified in FIPS 180-4 section 6.2, used to check
 * that a bundle payload is the one the pipeline hashed. */
#include <keel/lib.h>
#include <keel/sha256.h>

/* First 32 bits of the fractional parts of the cube roots of the first 64
 * primes (FIPS 180-4 4.2.2). */
static const u32 K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline u32 ror(u32 x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* Processes one 64-byte block (FIPS 180-4 6.2.2). */
static void compress(u32 state[8], const u8 *block)
{
	u32 w[64];
	u32 a, b, c, d, e, f, g, h;

	for (int t = 0; t < 16; t++)
		w[t] = ((u32)block[4 * t] << 24) | ((u32)block[4 * t + 1] << 16) |
		       ((u32)block[4 * t + 2] << 8) | block[4 * t + 3];
	for (int t = 16; t < 64; t++) {
		u32 s0 = ror(w[t - 15], 7) ^ ror(w[t - 15], 18) ^ (w[t - 15] >> 3);
		u32 s1 = ror(w[t - 2], 17) ^ ror(w[t - 2], 19) ^ (w[t - 2] >> 10);

		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}

	a = state[0]; b = state[1]; c = state[2]; d = state[3];
	e = state[4]; f = state[5]; g = state[6]; h = state[7];
	for (int t = 0; t < 64; t++) {
		u32 S1 = ror(e, 6) ^ ror(e, 11) ^ ror(e, 25);
		u32 ch = (e & f) ^ (~e & g);
		u32 t1 = h + S1 + ch + K[t] + w[t];
		u32 S0 = ror(a, 2) ^ ror(a, 13) ^ ror(a, 22);
		u32 maj = (a & b) ^ (a & c) ^ (b & c);
		u32 t2 = S0 + maj;

		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	state[0] += a; state[1] += b; state[2] += c; state[3] += d;
	state[4] += e; state[5] += f; state[6] += g; state[7] += h;
}

void sha256_init(struct sha256_ctx *ctx)
{
	/* Initial hash value H(0), FIPS 180-4 5.3.3. */
	static const u32 h0[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
				   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	memcpy(ctx->state, h0, sizeof(h0));
	ctx->length = 0;
	ctx->used = 0;
}

void sha256_update(struct sha256_ctx *ctx, const void *data, size_t len)
{
	const u8 *p = data;

	ctx->length += len;
	if (ctx->used) {
		size_t take = MIN(len, 64 - (size_t)ctx->used);

		memcpy(ctx->block + ctx->used, p, take);
		ctx->used += (u32)take;
		p += take;
		len -= take;
		if (ctx->used < 64)
			return;
		compress(ctx->state, ctx->block);
		ctx->used = 0;
	}
	for (; len >= 64; len -= 64, p += 64)
		compress(ctx->state, p);
	memcpy(ctx->block, p, len);
	ctx->used = (u32)len;
}

void sha256_final(struct sha256_ctx *ctx, u8 digest[SHA256_DIGEST_SIZE])
{
	u64 bits = ctx->length * 8;

	/* Padding (FIPS 180-4 5.1.1): 0x80, zeros, then the bit length as a
	 * big-endian u64 ending a block. */
	ctx->block[ctx->used++] = 0x80;
	if (ctx->used > 56) {
		memset(ctx->block + ctx->used, 0, 64 - ctx->used);
		compress(ctx->state, ctx->block);
		ctx->used = 0;
	}
	memset(ctx->block + ctx->used, 0, 56 - ctx->used);
	for (int i = 0; i < 8; i++)
		ctx->block[56 + i] = (u8)(bits >> (56 - 8 * i));
	compress(ctx->state, ctx->block);

	for (int i = 0; i < 8; i++) {
		digest[4 * i] = (u8)(ctx->state[i] >> 24);
		digest[4 * i + 1] = (u8)(ctx->state[i] >> 16);
		digest[4 * i + 2] = (u8)(ctx->state[i] >> 8);
		digest[4 * i + 3] = (u8)ctx->state[i];
	}
}

void sha256(const void *data, size_t len, u8 digest[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, data, len);
	sha256_final(&ctx, digest);
}
