/* sbi.c - route a guest's ecall to the extension that implements it.
 * Each extension lives in its own sbi_<ext>.c, compiled only when the
 * configuration enables it; the table of those compiled in is generated from
 * the configuration (<gen>/sbi_table.c, from core/Kbuild's sbi-ext lists),
 * so this file never lists them. */
#include <keel/capsule.h>
#include <keel/console.h>
#include <keel/printf.h>
#include <keel/sbi.h>

static const struct sbi_ext *find(unsigned long eid)
{
	for (unsigned i = 0; i < keel_sbi_table_len; i++)
		if (keel_sbi_table[i]->eid == eid)
			return keel_sbi_table[i];
	return NULL;
}

void sbi_log_extensions(void)
{
	char line[200];
	size_t n = 0;

	line[0] = '\0';
	for (unsigned i = 0; i < keel_sbi_table_len && n < sizeof(line); i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", keel_sbi_table[i]->name);
	KLOG_VERBOSE("sbi: %u extensions:%s", keel_sbi_table_len, line);
}

bool sbi_ext_present(unsigned long eid)
{
	return find(eid) != NULL;
}

struct sbi_ret sbi_dispatch(struct vcpu *v, const struct sbi_call *call)
{
	const struct sbi_ext *ext = find(call->eid);
	struct sbi_ret ret;

	if (!ext)
		return sbi_err(SBI_ERR_NOT_SUPPORTED);
	ret = ext->handle(v, call);
	ret.legacy = ext->legacy;
	return ret;
}
