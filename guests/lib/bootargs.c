/* bootargs.c - look up "key" and "key=value" tokens in a bootargs string. */
#include <guest.h>

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Find the token whose key is `key`. Returns a pointer just after the key
 * (at '=', a space or the NUL) or NULL. */
static const char *find_key(const char *args, const char *key)
{
	size_t klen = strlen(key);
	const char *p = args;

	if (args == NULL || klen == 0)
		return NULL;
	while (*p) {
		const char *start;

		while (is_space(*p))
			p++;
		start = p;
		while (*p && !is_space(*p))
			p++;
		if ((size_t)(p - start) >= klen && strncmp(start, key, klen) == 0 &&
		    (start[klen] == '=' || start + klen == p))
			return start + klen;
	}
	return NULL;
}

bool bootarg_has(const char *bootargs, const char *key)
{
	return find_key(bootargs, key) != NULL;
}

bool bootarg_value(const char *bootargs, const char *key, char *buf, size_t size)
{
	const char *v = find_key(bootargs, key);
	size_t n = 0;

	if (v == NULL || *v != '=' || size == 0)
		return false;
	v++;
	while (v[n] && !is_space(v[n]) && n + 1 < size) {
		buf[n] = v[n];
		n++;
	}
	buf[n] = '\0';
	return true;
}
