/* console.c - tagged, never-interleaved console lines (see keel/console.h). */
#include <keel/console.h>
#include <keel/lib.h>
#include <keel/printf.h>
#include <keel/spinlock.h>
#include <keel/uart.h>

/* One lock for the whole UART: a line goes out in one piece. */
static spinlock_t console_lock = SPINLOCK_INIT;

void console_init(void)
{
	uart_init();
}

static void write_raw(const char *s, size_t len)
{
	while (len--)
		uart_putc(*s++);
}

/* Writes "[tag] text\n" as one line. */
static void write_line(const char *tag, const char *text, size_t len)
{
	spin_lock(&console_lock);
	uart_putc('[');
	write_raw(tag, strlen(tag));
	write_raw("] ", 2);
	write_raw(text, len);
	uart_putc('\n');
	spin_unlock(&console_lock);
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
	write_line("keel", text, MIN((size_t)n, sizeof(text) - 1));
}

void console_capsule_flush(struct console_line *line, const char *tag)
{
	if (line->len == 0)
		return;
	write_line(tag, line->buf, line->len);
	line->len = 0;
}

void console_capsule_putc(struct console_line *line, const char *tag, char c)
{
	if (c == '\r')
		return;
	if (c == '\n') {
		/* An empty line is still a line: "[tag] ". */
		write_line(tag, line->buf, line->len);
		line->len = 0;
		return;
	}
	line->buf[line->len++] = c;
	if (line->len == sizeof(line->buf))
		console_capsule_flush(line, tag);
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

int console_getc(void)
{
	return uart_getc();
}
