/* console.h - tagged line output on the UART.
 *
 * Every line on the console is one of "[keel] ..." (the hypervisor) or
 * "[capsule] ..." (a capsule's output). A line is written to the UART in
 * one piece under one global lock, so lines from different harts never
 * interleave. */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/config.h>
#include <keel/types.h>

/* A capsule's partial output line. */
struct console_line {
	char buf[KEEL_LINE_MAX];
	unsigned len;
};

void console_init(void);

/* Formats one hypervisor line, "[keel] " + text + "\n". */
__attribute__((format(printf, 1, 2))) void klog(const char *fmt, ...);

/* Adds one byte of capsule output: '\n' or a full buffer writes
 * "[tag] text\n"; '\r' is dropped. */
void console_capsule_putc(struct console_line *line, const char *tag, char c);

/* Writes a partial line, if any (used when a capsule stops or reboots). */
void console_capsule_flush(struct console_line *line, const char *tag);

/* Writes raw text under the console lock, for panic dumps. If the lock
 * cannot be taken in a short while (the panicking hart may hold it), writes
 * anyway. */
void console_emergency(const char *text);

/* Reads one byte from the console input, -1 if none. */
int console_getc(void);

#endif
