/* keel_port.h for the host-side C tests: the qemu-virt port's facts, as the
 * build generates them (the golden copy the port tests keep up to date). */
#include "../../golden/port/qemu-virt.keel_port.h"
