/* printf.c - vsnprintf for hypervisor messages (see keel/printf.h). */
#include <keel/lib.h>
#include <keel/printf.h>

struct out {
	char *buf;
	size_t size;
	size_t len;  /* bytes the full output has so far */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

/* Writes s[0..len) right- or left-justified in width. */
static void emit(struct out *o, const char *s, size_t len, int width, bool left, char padc)
{
	int fill = width > (int)len ? width - (int)len : 0;

	if (!left)
		pad(o, padc, fill);
	while (len--)
		put(o, *s++);
	if (left)
		pad(o, ' ', fill);
}

static void emit_number(struct out *o, unsigned long long v, bool neg, unsigned base, bool upper,
			int width, bool left, bool zero)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (neg) {
		if (zero && !left) {
			put(o, '-');
			width--;
		} else {
			tmp[n++] = '-';
		}
	}
	/* tmp holds the digits backwards; reverse into place. */
	for (int i = 0; i < n / 2; i++) {
		char t = tmp[i];

		tmp[i] = tmp[n - 1 - i];
		tmp[n - 1 - i] = t;
	}
	emit(o, tmp, (size_t)n, width, left, zero && !left ? '0' : ' ');
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		bool left = false, zero = false;
		int width = 0, prec = -1, lng = 0;

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			}
			while (*fmt >= '0' && *fmt <= '9')
				prec = prec * 10 + (*fmt++ - '0');
		}
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}

		switch (*fmt) {
		case 'c': {
			char c = (char)va_arg(ap, int);

			emit(&o, &c, 1, width, left, ' ');
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			emit(&o, s, prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s), width, left, ' ');
			break;
		}
		case 'd':
		case 'i': {
			long long v = lng ? va_arg(ap, long long) : va_arg(ap, int);
			unsigned long long mag = v < 0 ? -(unsigned long long)v : (unsigned long long)v;

			emit_number(&o, mag, v < 0, 10, false, width, left, zero);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			unsigned long long v = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned);

			emit_number(&o, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, left, zero);
			break;
		}
		case 'p':
			put(&o, '0');
			put(&o, 'x');
			emit_number(&o, (uptr)va_arg(ap, void *), false, 16, false, 0, false, false);
			break;
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
