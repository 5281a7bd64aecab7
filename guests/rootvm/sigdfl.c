/* sigdfl - run a program with every signal at its default action and none blocked (static, riscv64 Linux).
 *
 * The root VM's /init (a BusyBox ash script, PID 1) starts the console shell with `&` so that it can keep
 * waiting for the poweroff/reboot/halt signals; a non-interactive shell starts such a command with SIGINT and
 * SIGQUIT ignored (POSIX), and an ignored signal stays ignored across exec and in every child. /init runs the
 * shell through sigdfl so that Ctrl-C and Ctrl-\ reach the shell's foreground jobs (issue 12).
 * Usage: sigdfl PROGRAM [ARG...]
 */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs("usage: sigdfl PROGRAM [ARG...]\n", stderr);
		return 2;
	}
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL); /* fails (harmlessly) for the C library's reserved signals */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
