/* panic.c - stop everything on a hypervisor bug (see keel/panic.h). */
#include <keel/console.h>
#include <keel/hart.h>
#include <keel/panic.h>
#include <keel/poweroff.h>
#include <keel/printf.h>

void panic(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "[keel] PANIC (hart %lu): ", hart_id());
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	console_emergency(line);
	console_emergency("\n");
	poweroff(KEEL_PANIC_EXIT_CODE);
}
