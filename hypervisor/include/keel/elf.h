/* elf.h - check and load an ELF64 RISC-V executable into guest RAM. */
#ifndef KEEL_ELF_H
#define KEEL_ELF_H

#include <keel/types.h>

/* Where a payload may go: guest-physical [gpa, gpa + size). */
struct elf_window {
	u64 gpa;
	u64 size;
};

/* Validates image (ELF64, little-endian, EM_RISCV, ET_EXEC, at least one
 * PT_LOAD, every PT_LOAD inside the file and inside win, entry inside win).
 * On success stores the entry GPA and returns 0; otherwise returns -1 and
 * points *why at a short reason. */
int elf_check(const void *image, u64 size, const struct elf_window *win, u64 *entry,
	      const char **why);

/* Copies every PT_LOAD of an image that passed elf_check into the RAM whose
 * first byte (GPA win->gpa) the hypervisor sees at host pointer ram, and
 * zeroes each segment's memsz - filesz tail. */
void elf_load(const void *image, const struct elf_window *win, u8 *ram);

/* Looks for the Keel initrd note (NT_KEEL_INITRD, name "Keel", version 1;
 * docs/design/linux-payload.md) in the PT_NOTE segments of an image that
 * passed elf_check. Returns 1 and sets [*start, *end) (GPAs), 0 if there is
 * none, -1 with *why if the note is malformed or names a range that no
 * PT_LOAD segment loads from the file. */
int elf_initrd(const void *image, u64 size, u64 *start, u64 *end, const char **why);

#endif
