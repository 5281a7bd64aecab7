/* sigill - executes one illegal instruction (static, riscv64 Linux userland).
 *
 * The rootvm boot test runs it: the instruction traps in VU-mode, Keel hands the illegal-instruction
 * exception to the guest kernel, and Linux kills this process with SIGILL (the shell reports "Illegal
 * instruction", status 132) while the root VM goes on. */
int main(void)
{
	__asm__ volatile(".4byte 0x00000000");
	return 0;
}
