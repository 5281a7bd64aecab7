/* test_elf.c - the ELF loader (core/elf.c): a good image checked, loaded
 * and its initrd note found; each rule of elf_check and elf_initrd broken
 * once; then mutated images through check, note and load, with guest RAM
 * exactly the window's size (AddressSanitizer sees a write past it).
 * Layout: System V gABI; the note: docs/design/linux-payload.md.
 * keel-test-sources: hypervisor/core/elf.c hypervisor/core/lib.c */
#include "check.h"
#include <string.h>
#include <keel/elf.h>

#define RAM_GPA 0x80000000UL
#define RAM_SIZE 0x200000UL
#define TEXT_OFF 0x1000
#define DATA_OFF 0x1100
#define NOTE_OFF 0x1180
#define NOTE_SIZE (12 + 8 + 24)
#define IMAGE_SIZE (NOTE_OFF + NOTE_SIZE)

/* Header and program header field offsets. */
#define E_TYPE 16
#define E_MACHINE 18
#define E_ENTRY 24
#define E_PHOFF 32
#define E_PHENTSIZE 54
#define E_PHNUM 56
#define PH(i) (64 + 56 * (i))
#define P_TYPE 0
#define P_OFFSET 8
#define P_PADDR 24
#define P_FILESZ 32
#define P_MEMSZ 40

static const struct elf_window win = { RAM_GPA, RAM_SIZE };

static void phdr(u8 *img, unsigned i, u32 type, u64 off, u64 paddr, u64 filesz, u64 memsz)
{
	u8 *ph = img + PH(i);

	put_le(ph + P_TYPE, type, 4);
	put_le(ph + P_OFFSET, off, 8);
	put_le(ph + 16, paddr, 8);  /* p_vaddr */
	put_le(ph + P_PADDR, paddr, 8);
	put_le(ph + P_FILESZ, filesz, 8);
	put_le(ph + P_MEMSZ, memsz, 8);
}

/* An executable with text (+ bss), an initrd segment and the initrd note. */
static u8 *image(void)
{
	u8 *img = calloc(1, IMAGE_SIZE);
	u8 *note = img + NOTE_OFF;

	memcpy(img, "\177ELF", 4);
	img[4] = 2;  /* ELFCLASS64 */
	img[5] = 1;  /* ELFDATA2LSB */
	img[6] = 1;
	put_le(img + E_TYPE, 2, 2);      /* ET_EXEC */
	put_le(img + E_MACHINE, 243, 2); /* EM_RISCV */
	put_le(img + 20, 1, 4);
	put_le(img + E_ENTRY, RAM_GPA + 0x10, 8);
	put_le(img + E_PHOFF, 64, 8);
	put_le(img + 52, 64, 2);
	put_le(img + E_PHENTSIZE, 56, 2);
	put_le(img + E_PHNUM, 3, 2);
	phdr(img, 0, 1, TEXT_OFF, RAM_GPA, 0x100, 0x200);
	phdr(img, 1, 1, DATA_OFF, RAM_GPA + 0x100000, 0x80, 0x80);
	phdr(img, 2, 4, NOTE_OFF, 0, NOTE_SIZE, 0);
	for (unsigned i = 0; i < 0x180; i++)
		img[TEXT_OFF + i] = (u8)(i * 7 + 1);
	put_le(note, 5, 4);   /* namesz "Keel\0" */
	put_le(note + 4, 24, 4);
	put_le(note + 8, 1, 4);  /* NT_KEEL_INITRD */
	memcpy(note + 12, "Keel", 5);
	put_le(note + 20, 1, 4); /* version */
	put_le(note + 28, RAM_GPA + 0x100000, 8);
	put_le(note + 36, RAM_GPA + 0x100040, 8);
	return img;
}

static void test_good(void)
{
	u8 *img = image(), *ram = malloc(RAM_SIZE);
	u64 entry = 0, start, end;
	const char *why = "unset";

	CHECK_EQ(elf_check(img, IMAGE_SIZE, &win, &entry, &why), 0);
	CHECK(why == NULL);
	CHECK_EQ(entry, RAM_GPA + 0x10);
	memset(ram, 0xaa, RAM_SIZE);
	elf_load(img, &win, ram);
	CHECK(memcmp(ram, img + TEXT_OFF, 0x100) == 0);
	CHECK_EQ(ram[0x100], 0);       /* bss zeroed */
	CHECK_EQ(ram[0x1ff], 0);
	CHECK_EQ(ram[0x200], 0xaa);    /* past memsz untouched */
	CHECK(memcmp(ram + 0x100000, img + DATA_OFF, 0x80) == 0);
	CHECK_EQ(elf_initrd(img, IMAGE_SIZE, &start, &end, &why), 1);
	CHECK_EQ(start, RAM_GPA + 0x100000);
	CHECK_EQ(end, RAM_GPA + 0x100040);

	/* Without the note: 0. */
	put_le(img + PH(2) + P_TYPE, 6, 4);
	CHECK_EQ(elf_initrd(img, IMAGE_SIZE, &start, &end, &why), 0);
	free(img);
	free(ram);
}

static const struct bad_field bad_check[] = {
	{ 0, 1, 0x7e, "not an ELF file" },
	{ 4, 1, 1, "not a little-endian ELF64 file" },
	{ 5, 1, 2, "not a little-endian ELF64 file" },
	{ E_MACHINE, 2, 62, "not a RISC-V ELF file" },
	{ E_TYPE, 2, 3, "not an executable" },
	{ E_PHENTSIZE, 2, 32, "bad program header table" },
	{ E_PHOFF, 8, 65, "bad program header table" },
	{ E_PHOFF, 8, IMAGE_SIZE + 8, "bad program header table" },
	{ E_PHNUM, 2, 200, "bad program header table" },
	{ PH(0) + P_OFFSET, 8, IMAGE_SIZE, "segment outside the file" },
	{ PH(0) + P_FILESZ, 8, ~0UL, "segment outside the file" },
	{ PH(0) + P_MEMSZ, 8, 0x80, "segment file size above memory size" },
	{ PH(0) + P_PADDR, 8, RAM_GPA - 0x1000, "segment outside guest RAM" },
	{ PH(0) + P_MEMSZ, 8, RAM_SIZE + 1, "segment outside guest RAM" },
	{ PH(1) + P_PADDR, 8, RAM_GPA + RAM_SIZE - 0x40, "segment outside guest RAM" },
	{ PH(1) + P_PADDR, 8, ~0UL - 0x10, "segment outside guest RAM" },
	{ E_ENTRY, 8, RAM_GPA + RAM_SIZE - 2, "entry point outside guest RAM" },
	{ E_PHNUM, 2, 0, "no loadable segment" },
};

static const struct bad_field bad_note[] = {
	{ PH(2) + P_FILESZ, 8, IMAGE_SIZE, "note segment outside the file" },
	{ NOTE_OFF + 4, 4, 0x100, "note runs past its segment" },
	{ NOTE_OFF, 4, 0xfffffffd, "note runs past its segment" },
	{ NOTE_OFF + 20, 4, 2, "unknown note version or size" },
	{ NOTE_OFF + 36, 8, RAM_GPA + 0x100000, "initrd range not inside a loaded segment" },
	{ NOTE_OFF + 36, 8, RAM_GPA + 0x100081, "initrd range not inside a loaded segment" },
};

static void test_bad(void)
{
	for (unsigned i = 0; i < sizeof(bad_check) / sizeof(bad_check[0]); i++) {
		u8 *img = image();
		u64 entry;
		const char *why = NULL;

		put_le(img + bad_check[i].at, bad_check[i].value, bad_check[i].bytes);
		CHECK_EQ(elf_check(img, IMAGE_SIZE, &win, &entry, &why), -1);
		CHECK_WHY(why, bad_check[i].why);
		free(img);
	}
	for (unsigned i = 0; i < sizeof(bad_note) / sizeof(bad_note[0]); i++) {
		u8 *img = image();
		u64 entry, start, end;
		const char *why = NULL;

		put_le(img + bad_note[i].at, bad_note[i].value, bad_note[i].bytes);
		CHECK_EQ(elf_check(img, IMAGE_SIZE, &win, &entry, &why), 0);
		CHECK_EQ(elf_initrd(img, IMAGE_SIZE, &start, &end, &why), -1);
		CHECK_WHY(why, bad_note[i].why);
		CHECK(start == 0 && end == 0);
		free(img);
	}
	/* Shorter than a header. */
	{
		u8 *img = image();
		u64 entry;
		const char *why;

		CHECK_EQ(elf_check(img, 63, &win, &entry, &why), -1);
		free(img);
	}
}

static void test_fuzz(unsigned long iters)
{
	u8 *good = image(), *img = malloc(IMAGE_SIZE), *ram = malloc(RAM_SIZE);
	unsigned long loaded = 0;

	for (unsigned long i = 0; i < iters; i++) {
		u64 entry, start, end;
		const char *why;
		/* Most mutations go to the headers and the note, where the checks are. */
		size_t span = (i & 1) ? 64 + 56 * 3 : IMAGE_SIZE;

		memcpy(img, good, IMAGE_SIZE);
		fuzz_mutate(img, span);
		if (i & 2)
			fuzz_mutate(img + NOTE_OFF, NOTE_SIZE);
		if (elf_check(img, IMAGE_SIZE, &win, &entry, &why) != 0) {
			CHECK(why != NULL);
			continue;
		}
		CHECK(entry >= RAM_GPA && entry - RAM_GPA <= RAM_SIZE - 4);
		if (elf_initrd(img, IMAGE_SIZE, &start, &end, &why) == 1)
			CHECK(start < end);
		elf_load(img, &win, ram);
		loaded++;
	}
	CHECK(loaded > 0);
	free(good);
	free(img);
	free(ram);
}

int main(int argc, char **argv)
{
	test_good();
	test_bad();
	test_fuzz(fuzz_iterations(argc, argv, 100000));
	return check_done("elf");
}
