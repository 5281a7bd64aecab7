/* printf.c - console output and a minimal printf.
 *
 * Output goes through SBI DBCN write (one call per buffered chunk) when the
 * SEE offers DBCN, else one legacy putchar call per byte. */
#include <guest.h>
#include <sbi.h>

/* -1 not probed yet, 0 legacy putchar, 1 DBCN. */
static int console_dbcn = -1;

static void legacy_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sbi_legacy_putchar(s[i]);
}

/* Write n bytes. DBCN write is non-blocking and may write only part of
 * the buffer (or nothing), so loop; give up on DBCN after an error or a
 * long run of empty writes and finish with putchar. The buffer address is
 * physical: the guests run with the MMU off. */
void console_write(const char *s, size_t n)
{
	int idle = 0;

	if (console_dbcn < 0) {
		struct sbiret r = sbi_probe_extension(SBI_EXT_DBCN);
		console_dbcn = (r.error == SBI_SUCCESS && r.value != 0);
	}
	while (console_dbcn && n > 0) {
		struct sbiret r = sbi_debug_console_write(n, (uptr)s, 0);
		if (r.error != SBI_SUCCESS)
			break;
		if (r.value <= 0) {
			if (++idle > 100000)
				break;
			continue;
		}
		if ((size_t)r.value > n)
			r.value = (long)n;
		s += r.value;
		n -= (size_t)r.value;
		idle = 0;
	}
	legacy_write(s, n);
}

/* Output is collected in a small buffer and written in chunks. */
struct out {
	char buf[128];
	size_t len;
	int total;
};

static void out_flush(struct out *o)
{
	console_write(o->buf, o->len);
	o->len = 0;
}

static void out_char(struct out *o, char c)
{
	if (o->len == sizeof(o->buf))
		out_flush(o);
	o->buf[o->len++] = c;
	o->total++;
}

static void out_pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* Conversion flags. */
#define F_LEFT 1 /* '-' */
#define F_ZERO 2 /* '0' */
#define F_ALT 4  /* '#': 0x prefix for %x */

/* One string, padded to width. */
static void out_str(struct out *o, const char *s, int width, int flags)
{
	int n = (int)strlen(s);

	if (!(flags & F_LEFT))
		out_pad(o, ' ', width - n);
	while (*s)
		out_char(o, *s++);
	if (flags & F_LEFT)
		out_pad(o, ' ', width - n);
}

/* One number: magnitude v in base, with an optional '-' sign and "0x"
 * prefix. Zero padding goes between the sign/prefix and the digits. */
static void out_num(struct out *o, unsigned long long v, bool neg, int base,
		    bool upper, int width, int flags)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	const char *prefix = "";
	int plen;

	do {
		tmp[n++] = digits[v % (unsigned)base];
		v /= (unsigned)base;
	} while (v != 0);

	if (neg)
		prefix = "-";
	else if ((flags & F_ALT) && base == 16)
		prefix = upper ? "0X" : "0x";
	plen = (int)strlen(prefix);

	if (flags & F_LEFT) {
		int pad = width - plen - n;

		out_str(o, prefix, 0, 0);
		while (n > 0)
			out_char(o, tmp[--n]);
		out_pad(o, ' ', pad);
		return;
	}
	/* Width counts the whole field; the padding goes around the digits. */
	if (flags & F_ZERO) {
		out_str(o, prefix, 0, 0);
		out_pad(o, '0', width - plen - n);
	} else {
		out_pad(o, ' ', width - plen - n);
		out_str(o, prefix, 0, 0);
	}
	while (n > 0)
		out_char(o, tmp[--n]);
}

int vprintf(const char *fmt, va_list ap)
{
	struct out o;

	o.len = 0;
	o.total = 0;
	for (; *fmt; fmt++) {
		int flags = 0, width = 0, lng = 0;
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			out_char(&o, *fmt);
			continue;
		}
		fmt++;
		/* flags */
		for (;; fmt++) {
			if (*fmt == '-')
				flags |= F_LEFT;
			else if (*fmt == '0')
				flags |= F_ZERO;
			else if (*fmt == '#')
				flags |= F_ALT;
			else
				break;
		}
		/* width */
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		/* length: l, ll, z */
		while (*fmt == 'l' || *fmt == 'z') {
			lng = (*fmt == 'z') ? 1 : lng + 1;
			fmt++;
		}

		switch (*fmt) {
		case 'd':
		case 'i':
			if (lng >= 2)
				s = va_arg(ap, long long);
			else if (lng == 1)
				s = va_arg(ap, long);
			else
				s = va_arg(ap, int);
			u = (s < 0) ? -(unsigned long long)s : (unsigned long long)s;
			out_num(&o, u, s < 0, 10, false, width, flags);
			break;
		case 'u':
		case 'x':
		case 'X':
			if (lng >= 2)
				u = va_arg(ap, unsigned long long);
			else if (lng == 1)
				u = va_arg(ap, unsigned long);
			else
				u = va_arg(ap, unsigned int);
			out_num(&o, u, false, *fmt == 'u' ? 10 : 16, *fmt == 'X',
				width, flags);
			break;
		case 'p':
			u = (uptr)va_arg(ap, void *);
			out_num(&o, u, false, 16, false, width, flags | F_ALT);
			break;
		case 'c':
			/* width applies to %c as to a one-character string */
			{
				char c[2] = { (char)va_arg(ap, int), 0 };
				out_str(&o, c, width, flags);
			}
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);
			out_str(&o, str ? str : "(null)", width, flags);
			break;
		}
		case '%':
			out_char(&o, '%');
			break;
		case '\0':
			/* A lone '%' at the end: print it and stop. */
			out_char(&o, '%');
			fmt--;
			break;
		default:
			/* Unknown conversion: print it as written. */
			out_char(&o, '%');
			out_char(&o, *fmt);
			break;
		}
	}
	out_flush(&o);
	return o.total;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
