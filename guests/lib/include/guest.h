/* guest.h - the runtime every test guest links against (guests/lib).
 *
 * Entry contract (docs/design/build-inputs.md, "Guests"): the hypervisor
 * starts the guest at GPA 0x80000000 in VS-mode with a0 = vCPU id and
 * a1 = GPA of its device tree. start.S sets up a stack, gp and .bss, points
 * stvec at the library trap handler and calls main(); main's return value
 * goes to exit(). */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <types.h>

/* Provided by each guest. Return 0 for success. */
int main(unsigned long hartid, const void *dtb);

/* Linker and start.S symbols. */
extern char _start[];
extern const char guest_image_magic[8]; /* "KEELGST0", 8 bytes after _start */
extern char __guest_end[];

/* Power off the system through SBI SRST (reason 0 "no reason" when ok,
 * 1 "system failure" otherwise), falling back to legacy shutdown (0x08).
 * Never returns. */
void shutdown(bool ok) __attribute__((noreturn));

/* shutdown(status == 0). start.S calls it with main's result. */
void exit(int status) __attribute__((noreturn));

/* Console output, through SBI DBCN write when the SEE offers it, else the
 * legacy putchar call. Supports %s %c %d %i %u %x %X %p %% with flags
 * '-' '0' '#', a field width and the l/ll/z length modifiers. */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
void console_write(const char *s, size_t n);

/* Bootargs are space-separated tokens, either "key" or "key=value".
 * bootarg_has: is there a token "key" or "key=..."?
 * bootarg_value: copy the value of "key=value" into buf (NUL-terminated,
 * truncated to size-1); returns false if there is no such token.
 * A NULL bootargs string counts as empty. */
bool bootarg_has(const char *bootargs, const char *key);
bool bootarg_value(const char *bootargs, const char *key, char *buf, size_t size);

/* The few string functions the guests need (no libc). memset and memcpy
 * are also what gcc may call for struct copies and zeroing. */
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

#endif
