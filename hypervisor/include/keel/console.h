/* console.h - tagged line output on the UART, and the hypervisor log.
 *
 * Every line on the console is one of "[keel] ..." (the hypervisor) or
 * "[capsule] ..." (a capsule's output). A line is written to the UART in
 * one piece under one global lock, so lines from different harts never
 * interleave. A capsule waiting for input (it reads the console) gets its
 * unfinished line written at once, without the newline, so that prompts
 * show; the console remembers that line as "open" and the capsule's next
 * bytes continue it, while anyone else's output first ends it with a
 * newline. Nothing is ever interleaved mid-line.
 *
 * Each capsule has an output allowance (a token bucket of
 * KEEL_CONSOLE_BURST bytes refilled at KEEL_CONSOLE_RATE bytes a second)
 * that pays for every byte its lines put on the console, "[tag] " included:
 * a capsule that floods the console loses whole lines past it, and the
 * next line that gets through is preceded by
 * "[keel] capsule X: output dropped (N bytes)" (N counts what the capsule
 * wrote). A capsule's control bytes never reach the terminal: '\r' is
 * dropped, tab kept, any other C0 byte and DEL shown as "^X". */
#ifndef KEEL_CONSOLE_H
#define KEEL_CONSOLE_H

#include <keel/config.h>
#include <keel/types.h>

/* A capsule's console output: its partial line and its allowance. */
struct console_line {
	char buf[CONFIG_CONSOLE_LINE_MAX];
	unsigned len;
	const char *tag;   /* the capsule's name */
	int colour;        /* ANSI foreground colour (31..36), 0 = none */
	u64 allowance;     /* bytes it may print now */
	u64 refilled_at;   /* hart time of the last refill */
	u64 dropped;       /* bytes dropped since the last marker */
	bool terminal;     /* control bytes pass as they are (the machine's owner) */
};

/* Boot hart, once: the UART, and the clock for the allowances. */
void console_init(void);
void console_set_timebase(u64 timebase);

/* Formats one hypervisor line, "[keel] " + text + "\n"; it also goes into
 * the hypervisor log (console_log_read). */
__attribute__((format(printf, 1, 2))) void klog(const char *fmt, ...);

/* klog at log level 2 (CONFIG_LOG_LEVEL, core/Kconfig): compiled in, and
 * type-checked, in every configuration; printed only when verbose. */
#define KLOG_VERBOSE(...)                                                        \
	do {                                                                     \
		if (CONFIG_LOG_LEVEL >= 2)                                       \
			klog(__VA_ARGS__);                                       \
	} while (0)

/* A capsule's (re)start: empty line, full allowance. */
/* terminal: the capsule's control bytes reach the terminal unchanged (the
 * machine's owner: its shell edits lines with BS and ESC sequences, and it
 * can stop every capsule anyway); everyone else's are shown as "^X". */
void console_line_reset(struct console_line *line, const char *tag, int colour, bool terminal);

/* Adds one byte of capsule output: '\n' or a full buffer writes
 * "[tag] text\n"; '\r' is dropped, other control bytes but tab shown as
 * "^X" unless the line is the owner's (terminal). */
void console_capsule_putc(struct console_line *line, char c);

/* Writes a partial line, if any, and ends it (a capsule stops or reboots);
 * also reports output dropped and not reported yet. */
void console_capsule_flush(struct console_line *line);

/* Writes a partial line, if any, without ending it (the capsule reads
 * input: its prompt must show). */
void console_capsule_show_partial(struct console_line *line);

/* Writes raw text under the console lock, for panic dumps. If the lock
 * cannot be taken in a short while (the panicking hart may hold it), writes
 * anyway. */
void console_emergency(const char *text);

/* The hypervisor log: the last LOG_SIZE (core/Kconfig) bytes of klog text, one line
 * per message. Copies up to size bytes from offset `off` into what is
 * retained now into buf; returns the bytes copied (0 at the end). */
size_t console_log_read(u64 off, char *buf, size_t size);

#endif
