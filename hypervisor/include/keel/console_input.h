/* console_input.h - console input: one physical UART, many capsules
 * (core/console_input.c).
 *
 * Input: the UART's receive interrupt reaches M-mode on the boot hart
 * through the platform interrupt controller (keel/irq.h); every byte goes
 * through the console key handler and, unless it is a console key, into
 * the input ring of the capsule that has the focus (the image's
 * `console: focus` capsule, else the first one). A capsule takes its bytes
 * with SBI legacy getchar or DBCN read.
 *
 * Console keys (README "Console keys"): Ctrl-] then
 *   0-9      input to the capsule with that id
 *   n        input to the next capsule
 *   l        list the capsules (id, name, state, vCPUs, RAM, focus)
 *   h or ?   help
 *   Ctrl-]   a literal Ctrl-] for the focused capsule
 * QEMU's own prefix is Ctrl-A, so the two never clash. */
#ifndef KEEL_CONSOLE_INPUT_H
#define KEEL_CONSOLE_INPUT_H

#include <keel/types.h>

struct capsule;

/* Boot hart, after capsules_init: picks the focus, announces it, and turns
 * the UART receive interrupt on (routed to this hart, irq_attach). */
void console_input_init(void);

/* Takes whatever the UART holds now (any hart; a no-op if another hart is
 * at it). */
void console_input_poll(void);

/* The next input byte for capsule c, or -1. Also shows c's partial output
 * line (a prompt), since c is waiting for input. */
int console_input_getc(struct capsule *c);

/* Up to n input bytes for c into buf; returns how many. */
size_t console_input_read(struct capsule *c, u8 *buf, size_t n);

/* One byte of c's waiting input, -1 if none (no polling of the UART, no
 * prompt shown: for its emulated UART, core/vuart.c). */
int console_input_take(struct capsule *c);

/* True if console input waits for c (no polling of the UART). */
bool console_input_pending(struct capsule *c);

/* Drops input waiting for c (it boots again). */
void console_input_reset(struct capsule *c);

#endif
