/* printf.h - formatted output into a buffer (no floating point).
 * Supports %c %s %d %i %u %x %X %p %%, flags '-' '0', width, precision
 * (for %s: at most that many bytes; '*' allowed) and the l/ll/z lengths. */
#ifndef KEEL_PRINTF_H
#define KEEL_PRINTF_H

#include <keel/types.h>
#include <stdarg.h>

/* Like C99: writes at most size bytes including the NUL, returns the length
 * the full output would have had. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
