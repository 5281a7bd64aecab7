/* fdt.h - a small read-only walker for flattened device trees.
 *
 * Format: devicetree-specification chapter 5 ("Flattened devicetree").
 * Paths are absolute ("/", "/chosen", "/cpus/cpu@0"). A path component
 * without '@' also matches a node whose name has a unit address, so
 * "/memory" finds "/memory@80000000" (the first such node). */
#ifndef GUEST_FDT_H
#define GUEST_FDT_H

#include <types.h>

#define FDT_MAGIC 0xd00dfeed

/* Is this a plausible FDT blob (magic, version, block offsets inside
 * totalsize)? */
bool fdt_check(const void *fdt);

/* The value of property `name` of the node at `path`, or NULL if the
 * blob, node or property does not exist. *lenp gets the value length. */
const void *fdt_getprop(const void *fdt, const char *path, const char *name,
			int *lenp);

/* A property that is a NUL-terminated string; NULL if missing or not
 * terminated. */
const char *fdt_getprop_str(const void *fdt, const char *path, const char *name);

/* A single big-endian u32 cell. */
bool fdt_getprop_u32(const void *fdt, const char *path, const char *name, u32 *out);

/* A one- or two-cell big-endian number (e.g. linux,initrd-start). */
bool fdt_getprop_u64(const void *fdt, const char *path, const char *name, u64 *out);

/* Entry `index` of the node's `reg`, decoded with the parent's
 * #address-cells and #size-cells (spec defaults 2 and 1). */
bool fdt_reg(const void *fdt, const char *path, int index, u64 *base, u64 *size);

/* Big-endian u32 load from a possibly unaligned pointer. */
u32 fdt_be32(const void *p);

#endif
