/* kconfig.h - using the configuration in C. Every unit is compiled with
 * -include <gen>/autoconf.h: a bool symbol that is y is defined as 1, one
 * that is n is not defined at all, ints and strings are their values.
 *
 * IS_ENABLED(option) is 1 or 0 as a constant expression, usable in plain
 * `if` so both branches are compiled (and type-checked) in every
 * configuration while the optimizer drops the dead one. It works by the
 * preprocessor: an option defined as 1 pastes into KEEL__ARG_PLACEHOLDER_1,
 * which expands to "0,", shifting the argument list so the second argument
 * taken is 1; an undefined option leaves junk in the first slot and 0 is
 * taken. (This header names no symbol, so it adds no dependency.) */
#ifndef KEEL_KCONFIG_H
#define KEEL_KCONFIG_H

#define KEEL__ARG_PLACEHOLDER_1 0,
#define KEEL__TAKE_SECOND(ignored, val, ...) val
#define KEEL__IS_DEFINED3(arg1_or_junk) KEEL__TAKE_SECOND(arg1_or_junk 1, 0, 0)
#define KEEL__IS_DEFINED2(val) KEEL__IS_DEFINED3(KEEL__ARG_PLACEHOLDER_##val)
#define IS_ENABLED(option) KEEL__IS_DEFINED2(option)

#endif
