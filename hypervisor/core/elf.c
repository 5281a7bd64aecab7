/* elf.c - check and load ELF64 RISC-V executables (see keel/elf.h).
 * Field layout: System V gABI, "ELF Header" and "Program Header". Only what
 * a statically linked guest needs: PT_LOAD segments at physical addresses. */
#include <keel/elf.h>
#include <keel/lib.h>

#define EI_NIDENT 16
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_RISCV 243
#define PT_LOAD 1
#define PT_NOTE 4

/* docs/design/linux-payload.md: the initrd note. */
#define NT_KEEL_INITRD 1
#define KEEL_NOTE_NAME "Keel"
#define KEEL_INITRD_NOTE_VERSION 1

struct elf64_ehdr {
	u8 e_ident[EI_NIDENT];
	u16 e_type;
	u16 e_machine;
	u32 e_version;
	u64 e_entry;
	u64 e_phoff;
	u64 e_shoff;
	u32 e_flags;
	u16 e_ehsize;
	u16 e_phentsize;
	u16 e_phnum;
	u16 e_shentsize;
	u16 e_shnum;
	u16 e_shstrndx;
};

struct elf64_phdr {
	u32 p_type;
	u32 p_flags;
	u64 p_offset;
	u64 p_vaddr;
	u64 p_paddr;
	u64 p_filesz;
	u64 p_memsz;
	u64 p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header");

/* True if [addr, addr+len) lies inside the window (overflow-safe). */
static bool in_window(const struct elf_window *win, u64 addr, u64 len)
{
	return addr >= win->gpa && addr - win->gpa <= win->size && len <= win->size - (addr - win->gpa);
}

static const struct elf64_phdr *phdr(const void *image, unsigned i)
{
	const struct elf64_ehdr *eh = image;

	return (const struct elf64_phdr *)((const u8 *)image + eh->e_phoff) + i;
}

int elf_check(const void *image, u64 size, const struct elf_window *win, u64 *entry,
	      const char **why)
{
	const struct elf64_ehdr *eh = image;
	unsigned loads = 0;

	*why = NULL;
	if (size < sizeof(*eh) || memcmp(eh->e_ident, "\177ELF", 4) != 0)
		*why = "not an ELF file";
	else if (eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB)
		*why = "not a little-endian ELF64 file";
	else if (eh->e_machine != EM_RISCV)
		*why = "not a RISC-V ELF file";
	else if (eh->e_type != ET_EXEC)
		*why = "not an executable";
	else if (eh->e_phentsize != sizeof(struct elf64_phdr) || (eh->e_phoff & 7) != 0 ||
		 eh->e_phoff > size || (u64)eh->e_phnum * sizeof(struct elf64_phdr) > size - eh->e_phoff)
		*why = "bad program header table";
	if (*why)
		return -1;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = phdr(image, i);

		if (ph->p_type != PT_LOAD)
			continue;
		loads++;
		if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset) {
			*why = "segment outside the file";
			return -1;
		}
		if (ph->p_filesz > ph->p_memsz) {
			*why = "segment file size above memory size";
			return -1;
		}
		if (!in_window(win, ph->p_paddr, ph->p_memsz)) {
			*why = "segment outside guest RAM";
			return -1;
		}
	}
	if (loads == 0) {
		*why = "no loadable segment";
		return -1;
	}
	if (!in_window(win, eh->e_entry, 4)) {
		*why = "entry point outside guest RAM";
		return -1;
	}
	*entry = eh->e_entry;
	return 0;
}

void elf_load(const void *image, const struct elf_window *win, u8 *ram)
{
	const struct elf64_ehdr *eh = image;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = phdr(image, i);
		u8 *dst;

		if (ph->p_type != PT_LOAD)
			continue;
		dst = ram + (ph->p_paddr - win->gpa);
		memcpy(dst, (const u8 *)image + ph->p_offset, ph->p_filesz);
		memset(dst + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
	}
}

/* One note's header (gABI "Note Section"); name and desc follow, each
 * padded to 4 bytes. */
struct elf_note {
	u32 namesz;
	u32 descsz;
	u32 type;
};

static u32 rd32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static u64 rd64(const u8 *p)
{
	return (u64)rd32(p) | (u64)rd32(p + 4) << 32;
}

/* Is [start, end) inside what some PT_LOAD segment loads from the file? */
static bool initrd_loaded(const void *image, u64 start, u64 end)
{
	const struct elf64_ehdr *eh = image;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = phdr(image, i);

		if (ph->p_type == PT_LOAD && start >= ph->p_paddr && end <= ph->p_paddr + ph->p_filesz)
			return true;
	}
	return false;
}

int elf_initrd(const void *image, u64 size, u64 *start, u64 *end, const char **why)
{
	const struct elf64_ehdr *eh = image;

	*start = *end = 0;
	*why = NULL;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = phdr(image, i);
		const u8 *p, *stop;

		if (ph->p_type != PT_NOTE)
			continue;
		if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset) {
			*why = "note segment outside the file";
			return -1;
		}
		p = (const u8 *)image + ph->p_offset;
		stop = p + ph->p_filesz;
		while ((u64)(stop - p) >= sizeof(struct elf_note)) {
			u32 namesz = rd32(p), descsz = rd32(p + 4), type = rd32(p + 8);
			u64 name_pad = ALIGN_UP((u64)namesz, 4), desc_pad = ALIGN_UP((u64)descsz, 4);
			const u8 *name = p + sizeof(struct elf_note), *desc = name + name_pad;

			if (name_pad > (u64)(stop - name) || desc_pad > (u64)(stop - name) - name_pad) {
				*why = "note runs past its segment";
				return -1;
			}
			p = desc + desc_pad;
			if (namesz != sizeof(KEEL_NOTE_NAME) || memcmp(name, KEEL_NOTE_NAME, namesz) != 0 ||
			    type != NT_KEEL_INITRD)
				continue;
			if (descsz != 24 || rd32(desc) != KEEL_INITRD_NOTE_VERSION) {
				*why = "unknown note version or size";
				return -1;
			}
			*start = rd64(desc + 8);
			*end = rd64(desc + 16);
			if (*start >= *end || !initrd_loaded(image, *start, *end)) {
				*why = "initrd range not inside a loaded segment";
				*start = *end = 0;
				return -1;
			}
			return 1;
		}
	}
	return 0;
}
