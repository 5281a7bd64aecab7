/* lib.h - the little libc the hypervisor needs: memory and string helpers.
 * GCC may emit calls to memcpy/memset/memmove/memcmp itself, so those keep
 * their standard names and contracts. */
#ifndef KEEL_LIB_H
#define KEEL_LIB_H

#include <keel/types.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a) - 1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
/* Zeroes [p, p + n) (p and n 8-byte aligned), writing only the 64-byte
 * blocks that are not zero already: same result as memset(p, 0, n), but
 * RAM that was never written stays unwritten (under QEMU the host then
 * never has to back it). */
void mem_scrub(void *p, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* Copies at most size-1 bytes and always NUL-terminates (size > 0). Returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);
/* True if s starts with prefix. */
bool str_starts(const char *s, const char *prefix);

#endif
