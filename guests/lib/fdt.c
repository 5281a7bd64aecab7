/* fdt.c - find a property of a node by path in a flattened device tree.
 *
 * Layout (devicetree-specification, "Flattened devicetree format"): a
 * header of ten big-endian u32s, then a structure block of 4-byte tokens
 * and a strings block of NUL-terminated property names.
 *   FDT_BEGIN_NODE name\0 (padded to 4)   FDT_END_NODE
 *   FDT_PROP len nameoff value (padded)   FDT_NOP   FDT_END
 * Properties of a node come before its subnodes. Every read is checked
 * against the block sizes, so a corrupt blob gives "not found", never a
 * wild load. */
#include <fdt.h>
#include <guest.h>

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

/* Path depth we can follow ("/cpus/cpu@0/interrupt-controller" is 3). */
#define FDT_MAX_DEPTH 16

/* Header field offsets, in bytes. */
#define HDR_MAGIC 0
#define HDR_TOTALSIZE 4
#define HDR_OFF_STRUCT 8
#define HDR_OFF_STRINGS 12
#define HDR_VERSION 20
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT 36

u32 fdt_be32(const void *p)
{
	const u8 *b = p;

	return ((u32)b[0] << 24) | ((u32)b[1] << 16) | ((u32)b[2] << 8) | b[3];
}

static u32 hdr(const void *fdt, int off)
{
	return fdt_be32((const u8 *)fdt + off);
}

bool fdt_check(const void *fdt)
{
	u32 total, off, size;

	if (fdt == NULL || ((uptr)fdt & 3) != 0)
		return false;
	if (hdr(fdt, HDR_MAGIC) != FDT_MAGIC || hdr(fdt, HDR_VERSION) < 17)
		return false;
	total = hdr(fdt, HDR_TOTALSIZE);
	off = hdr(fdt, HDR_OFF_STRUCT);
	size = hdr(fdt, HDR_SIZE_STRUCT);
	if (off > total || size > total - off || (off & 3) != 0)
		return false;
	off = hdr(fdt, HDR_OFF_STRINGS);
	size = hdr(fdt, HDR_SIZE_STRINGS);
	if (off > total || size > total - off)
		return false;
	return true;
}

/* A path split into its components: "/cpus/cpu@0" -> "cpus", "cpu@0". */
struct fdt_path {
	const char *comp[FDT_MAX_DEPTH];
	size_t len[FDT_MAX_DEPTH];
	int n;
};

static bool path_split(const char *path, struct fdt_path *p)
{
	p->n = 0;
	if (path == NULL || path[0] != '/')
		return false;
	while (*path) {
		while (*path == '/')
			path++;
		if (*path == '\0')
			break;
		if (p->n == FDT_MAX_DEPTH)
			return false;
		p->comp[p->n] = path;
		while (*path && *path != '/')
			path++;
		p->len[p->n] = (size_t)(path - p->comp[p->n]);
		p->n++;
	}
	return true;
}

/* Does node name `name` match path component comp[0..len)? "memory"
 * matches "memory@80000000"; "cpu@0" must match exactly. */
static bool name_matches(const char *name, const char *comp, size_t len)
{
	if (strncmp(name, comp, len) != 0)
		return false;
	if (name[len] == '\0')
		return true;
	if (name[len] != '@')
		return false;
	for (size_t i = 0; i < len; i++)
		if (comp[i] == '@')
			return false;
	return true;
}

/* Length of the NUL-terminated string at s, or -1 if no NUL before end. */
static long bounded_strlen(const char *s, const char *end)
{
	const char *p = s;

	while (p < end && *p)
		p++;
	return p < end ? p - s : -1;
}

/* Walk the structure block once. `depth` counts open nodes (the root is
 * depth 1); `matched` is how deep the chain of open nodes follows the
 * path. The wanted node is open when matched == depth == path.n + 1. */
const void *fdt_getprop(const void *fdt, const char *path, const char *name,
			int *lenp)
{
	struct fdt_path p;
	const char *base = fdt;
	const char *pos, *end, *strings, *strings_end;
	int depth = 0, matched = 0;

	if (!fdt_check(fdt) || !path_split(path, &p))
		return NULL;
	pos = base + hdr(fdt, HDR_OFF_STRUCT);
	end = pos + hdr(fdt, HDR_SIZE_STRUCT);
	strings = base + hdr(fdt, HDR_OFF_STRINGS);
	strings_end = strings + hdr(fdt, HDR_SIZE_STRINGS);

	while (end - pos >= 4) {
		u32 token = fdt_be32(pos);
		pos += 4;

		switch (token) {
		case FDT_BEGIN_NODE: {
			long n = bounded_strlen(pos, end);
			if (n < 0)
				return NULL;
			depth++;
			if (depth == 1)
				matched = 1; /* the root matches "/" */
			else if (matched == depth - 1 && depth - 2 < p.n &&
				 name_matches(pos, p.comp[depth - 2], p.len[depth - 2]))
				matched = depth;
			pos += (n + 1 + 3) & ~3L;
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return NULL;
			if (matched == depth)
				matched--;
			depth--;
			break;
		case FDT_PROP: {
			u32 len, nameoff;
			const char *pname;
			if (end - pos < 8)
				return NULL;
			len = fdt_be32(pos);
			nameoff = fdt_be32(pos + 4);
			pos += 8;
			if (len > (u32)(end - pos))
				return NULL;
			if (matched == depth && depth == p.n + 1 &&
			    nameoff < (u32)(strings_end - strings)) {
				pname = strings + nameoff;
				if (bounded_strlen(pname, strings_end) >= 0 &&
				    strcmp(pname, name) == 0) {
					if (lenp)
						*lenp = (int)len;
					return pos;
				}
			}
			pos += (len + 3) & ~3U;
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
		default:
			return NULL;
		}
	}
	return NULL;
}

const char *fdt_getprop_str(const void *fdt, const char *path, const char *name)
{
	int len;
	const char *v = fdt_getprop(fdt, path, name, &len);

	if (v == NULL || len < 1 || v[len - 1] != '\0')
		return NULL;
	return v;
}

bool fdt_getprop_u32(const void *fdt, const char *path, const char *name, u32 *out)
{
	int len;
	const void *v = fdt_getprop(fdt, path, name, &len);

	if (v == NULL || len != 4)
		return false;
	*out = fdt_be32(v);
	return true;
}

bool fdt_getprop_u64(const void *fdt, const char *path, const char *name, u64 *out)
{
	int len;
	const u8 *v = fdt_getprop(fdt, path, name, &len);

	if (v == NULL)
		return false;
	if (len == 4)
		*out = fdt_be32(v);
	else if (len == 8)
		*out = ((u64)fdt_be32(v) << 32) | fdt_be32(v + 4);
	else
		return false;
	return true;
}

/* Read `cells` (1 or 2) big-endian cells as one number. */
static u64 read_cells(const u8 *v, u32 cells)
{
	return cells == 1 ? fdt_be32(v) : ((u64)fdt_be32(v) << 32) | fdt_be32(v + 4);
}

bool fdt_reg(const void *fdt, const char *path, int index, u64 *base, u64 *size)
{
	char parent[128];
	size_t n = strlen(path), cut = 0;
	u32 ac = 2, sc = 1; /* spec defaults when the parent does not say */
	const u8 *v;
	int len;

	/* The parent's path: everything before the last '/', or "/". */
	if (n >= sizeof(parent) || index < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (path[i] == '/')
			cut = i;
	if (cut == 0) {
		parent[0] = '/';
		parent[1] = '\0';
	} else {
		memcpy(parent, path, cut);
		parent[cut] = '\0';
	}
	fdt_getprop_u32(fdt, parent, "#address-cells", &ac);
	fdt_getprop_u32(fdt, parent, "#size-cells", &sc);
	if (ac < 1 || ac > 2 || sc > 2)
		return false;

	v = fdt_getprop(fdt, path, "reg", &len);
	if (v == NULL || (u32)len < (u32)(index + 1) * (ac + sc) * 4)
		return false;
	v += (u32)index * (ac + sc) * 4;
	*base = read_cells(v, ac);
	*size = sc == 0 ? 0 : read_cells(v + ac * 4, sc);
	return true;
}
