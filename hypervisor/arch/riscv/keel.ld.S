/* keel.ld.S - link the hypervisor image (docs/design/build-inputs.md).
 * Preprocessed with -D__ASSEMBLY__ and keel_port.h included, whose
 * assembly block gives the port's addresses as plain numbers ld can read. */
OUTPUT_ARCH(riscv)
ENTRY(_start)

/* Code and read-only data (the bundle included) in an R+X segment, data
 * and .bss in an R+W one. */
PHDRS
{
	text PT_LOAD FLAGS(5);
	data PT_LOAD FLAGS(6);
}

SECTIONS
{
	. = KEEL_LOAD_ADDR;
	__keel_image_start = .;

	.text : {
		KEEP(*(.text.entry))	/* _start first: -bios none jumps to DRAM base */
		*(.text .text.*)
	} :text

	.rodata : ALIGN(8) {
		*(.rodata .rodata.*)
		*(.srodata .srodata.*)
	}

	/* The capsule bundle (bundle.S); payloads stay here untouched. */
	.keel_bundle : ALIGN(4096) {
		KEEP(*(.keel_bundle))
	} :text

	.data : ALIGN(4096) {
		*(.data .data.*)
	} :data

	.sdata : ALIGN(8) {
		__global_pointer$ = . + 0x800;
		*(.sdata .sdata.*)
	}

	.bss (NOLOAD) : ALIGN(16) {
		__bss_start = .;
		*(.sbss .sbss.*)
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(16);
		__bss_end = .;
	}

	. = ALIGN(4096);
	__keel_image_end = .;

	/DISCARD/ : {
		*(.eh_frame .eh_frame_hdr)
		*(.note .note.*)
		*(.comment)
	}
}
