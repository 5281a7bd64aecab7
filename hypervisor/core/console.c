/* console.c - tagged, never-interleaved console lines, capsule output
 * allowances and the hypervisor log (see keel/console.h). */
#include <keel/console.h>
#include <keel/hart.h>
#include <keel/lib.h>
#include <keel/printf.h>
#include <keel/spinlock.h>
#include <keel/uart.h>

/* One lock for the whole UART: a line goes out in one piece. It also guards
 * open_line and the log. */
static spinlock_t console_lock = SPINLOCK_INIT;

/* The capsule line written without its newline (a prompt), NULL if the
 * cursor is at the start of a line. */
static const struct console_line *open_line;

static u64 timebase = 10000000;

/* The log ring: byte i of the log since boot is log_buf[i % CONFIG_LOG_SIZE];
 * log_total bytes were ever written. */
static char log_buf[CONFIG_LOG_SIZE];
static u64 log_total;

void console_init(void)
{
	uart_init();
}

void console_set_timebase(u64 tb)
{
	if (tb)
		timebase = tb;
}

static void write_raw(const char *s, size_t len)
{
	while (len--)
		uart_putc(*s++);
}

/* Lock held: ends somebody else's open line. */
static void close_open_line(const struct console_line *line)
{
	if (open_line && open_line != line) {
		uart_putc('\n');
		open_line = NULL;
	}
}

/* Lock held: "[tag] " at the start of a line, coloured if asked. */
static void write_tag(const char *tag, int colour)
{
	char esc[8];

	if (colour) {
		snprintf(esc, sizeof(esc), "\033[%dm", colour);
		write_raw(esc, strlen(esc));
	}
	uart_putc('[');
	write_raw(tag, strlen(tag));
	uart_putc(']');
	if (colour)
		write_raw("\033[0m", 4);
	uart_putc(' ');
}

/* Lock held: text into the log ring. */
static void log_append(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++)
		log_buf[(log_total + i) % CONFIG_LOG_SIZE] = text[i];
	log_total += len;
}

/* Lock held: one hypervisor line. */
static void write_keel_line(const char *text, size_t len)
{
	close_open_line(NULL);
	write_tag("keel", 0);
	write_raw(text, len);
	uart_putc('\n');
	log_append(text, len);
	log_append("\n", 1);
}

void klog(const char *fmt, ...)
{
	char text[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	spin_lock(&console_lock);
	write_keel_line(text, MIN((size_t)n, sizeof(text) - 1));
	spin_unlock(&console_lock);
}

size_t console_log_read(u64 off, char *buf, size_t size)
{
	size_t n = 0;
	u64 first, avail;

	spin_lock(&console_lock);
	first = log_total > CONFIG_LOG_SIZE ? log_total - CONFIG_LOG_SIZE : 0;
	avail = log_total - first;
	if (off < avail) {
		n = (size_t)MIN((u64)size, avail - off);
		for (size_t i = 0; i < n; i++)
			buf[i] = log_buf[(first + off + i) % CONFIG_LOG_SIZE];
	}
	spin_unlock(&console_lock);
	return n;
}

void console_line_reset(struct console_line *line, const char *tag, int colour, bool terminal)
{
	line->terminal = terminal;
	line->len = 0;
	line->tag = tag;
	line->colour = colour;
	line->allowance = KEEL_CONSOLE_BURST;
	line->refilled_at = hart_time();
	line->dropped = 0;
}

/* Lock held: may the capsule print n more bytes now? Refills, then takes. */
static bool allowed(struct console_line *line, size_t n)
{
	u64 now = hart_time(), elapsed = now - line->refilled_at;

	if (elapsed >= timebase)
		line->allowance = KEEL_CONSOLE_BURST;
	else
		line->allowance += elapsed * KEEL_CONSOLE_RATE / timebase;
	if (line->allowance > KEEL_CONSOLE_BURST)
		line->allowance = KEEL_CONSOLE_BURST;
	line->refilled_at = now;
	if (line->allowance < n)
		return false;
	line->allowance -= n;
	return true;
}

/* Lock held: the marker for output dropped so far, if any. */
static void report_dropped(struct console_line *line)
{
	char text[96];
	int n;

	if (line->dropped == 0)
		return;
	n = snprintf(text, sizeof(text), "capsule %s: output dropped (%lu bytes)", line->tag,
		     (unsigned long)line->dropped);
	line->dropped = 0;
	write_keel_line(text, MIN((size_t)n, sizeof(text) - 1));
}

/* Bytes write_tag puts on the console for this line's tag. */
static size_t tag_cost(const struct console_line *line)
{
	return strlen(line->tag ? line->tag : "?") + 3 + (line->colour ? 5 + 4 : 0);
}

/* Writes the buffered text of a capsule line, ending it with a newline or
 * leaving it open; drops it if the capsule is over its allowance, which
 * pays for every byte that reaches the console, its tag too (a flood of
 * empty lines is mostly tags). */
static void emit(struct console_line *line, bool newline)
{
	bool continues;

	spin_lock(&console_lock);
	continues = open_line == line;
	if (!allowed(line, line->len + (newline ? 1 : 0) + (continues ? 0 : tag_cost(line)))) {
		line->dropped += line->len + (newline ? 1 : 0);
		line->len = 0;
		spin_unlock(&console_lock);
		return;
	}
	report_dropped(line);
	close_open_line(line);
	if (!continues)
		write_tag(line->tag ? line->tag : "?", line->colour);
	write_raw(line->buf, line->len);
	line->len = 0;
	if (newline) {
		uart_putc('\n');
		open_line = NULL;
	} else {
		open_line = line;
	}
	spin_unlock(&console_lock);
}

void console_capsule_flush(struct console_line *line)
{
	if (line->len != 0 || open_line == line)
		emit(line, true);
	spin_lock(&console_lock);
	report_dropped(line);
	if (open_line == line) {
		uart_putc('\n');
		open_line = NULL;
	}
	spin_unlock(&console_lock);
}

void console_capsule_show_partial(struct console_line *line)
{
	if (line->len != 0)
		emit(line, false);
}

/* One byte into the line buffer; a full buffer is written as a line. */
static void buffer_byte(struct console_line *line, char c)
{
	line->buf[line->len++] = c;
	if (line->len == sizeof(line->buf))
		emit(line, true);
}

void console_capsule_putc(struct console_line *line, char c)
{
	u8 b = (u8)c;

	if (c == '\r')
		return;
	if (c == '\n') {
		/* An empty line is still a line: "[tag] " (unless it ends an open one). */
		emit(line, true);
		return;
	}
	/* The terminal is shared: a capsule's control bytes (ESC, BS, VT, FF,
	 * BEL...) could move the cursor and forge a [keel] line, so every C0
	 * byte but tab, and DEL, is shown in caret notation ("^[" for ESC,
	 * "^?" for DEL) as cat -v does (docs/design/guest-input.md). Bytes
	 * from 0x80 pass: UTF-8 text is made of them. The machine's owner
	 * (terminal) is trusted with the terminal: a Linux shell's line editing
	 * needs BS and ESC sequences, and the owner may stop any capsule anyway. */
	if (!line->terminal && ((b < 0x20 && c != '\t') || b == 0x7f)) {
		buffer_byte(line, '^');
		buffer_byte(line, (char)(b ^ 0x40));
		return;
	}
	buffer_byte(line, c);
}

void console_emergency(const char *text)
{
	/* The panicking hart may already hold the lock; give up waiting after a
	 * while rather than deadlock the last message. */
	bool locked = false;

	for (unsigned i = 0; i < 1000000 && !locked; i++)
		locked = spin_trylock(&console_lock);
	write_raw(text, strlen(text));
	if (locked)
		spin_unlock(&console_lock);
}
