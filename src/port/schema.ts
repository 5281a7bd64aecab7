// The port file as its author writes it (`ports/<name>.yaml`): shape, field types and help text.
//
// This is the user-written type; `resolve.ts` turns it into the `ResolvedPort` the emitters use. The JSON
// Schema in ports/schema/port.schema.json is generated from this file (scripts/gen-schema.ts), so the
// descriptions here are what editors show on hover. Every field is documented in docs/ports.md.

import { z } from "zod";
import { address, count, defineValue, folderName, size } from "../yamlfile/scalars.ts";

const text = (description: string) => z.string().min(1).meta({ description });
const flags = (description: string) => z.array(z.string()).default([]).meta({ description });

const baseOf = (what: string) => address(`Physical address of the first byte of the ${what}.`);
const sizeOf = (what: string) => size(`Size of the ${what} in bytes (integer, or 256M / 16K / 1G).`);
const compatible = (what: string) => text(`Device-tree compatible string of the ${what}.`);

const device = <S extends z.ZodRawShape>(what: string, shape: S) =>
  z.strictObject(shape).meta({ description: `The ${what}.` });

export const PortSchema = z
  .strictObject({
    name: folderName("Port name; must match the file name (ports/<name>.yaml)."),
    description: text("One line saying what board or machine this is."),
    isa: z
      .strictObject({
        base: z.enum(["rv32", "rv64"]).meta({ description: "Base ISA." }),
        extensions: z
          .array(
            z
              .string()
              .regex(/^[a-z][a-z0-9]*$/, { error: "expected a lower-case extension name such as h or sstc" }),
          )
          .min(1)
          .meta({ description: "ISA extensions the harts implement, lower case (e.g. [i, m, a, h, sstc])." }),
      })
      .meta({ description: "Instruction set of the harts." }),
    harts: count("Number of harts the hardware has (KEEL_PORT_HARTS; the default of CONFIG_MAX_HARTS).", 0),
    memory: z
      .strictObject({ dram: device("main memory (DRAM)", { base: baseOf("DRAM"), size: sizeOf("DRAM") }) })
      .meta({ description: "Memory map." }),
    devices: z
      .strictObject({
        uart: device("console UART", {
          compatible: compatible("UART"),
          base: baseOf("UART registers"),
          size: sizeOf("UART register window"),
          irq: count("PLIC interrupt source number of the UART.", 1),
        }),
        clint: device("CLINT (machine timer and software interrupts)", {
          base: baseOf("CLINT registers"),
          size: sizeOf("CLINT register window"),
        }),
        plic: device("PLIC (platform-level interrupt controller)", {
          base: baseOf("PLIC registers"),
          size: sizeOf("PLIC register window"),
        }),
        poweroff: device("power-off / reset device", {
          compatible: compatible("power-off device"),
          base: baseOf("power-off registers"),
          size: sizeOf("power-off register window"),
        }),
      })
      .meta({
        description: "Devices the hypervisor drives. Their windows must not overlap each other or DRAM.",
      }),
    load_address: address("Where the hypervisor image is loaded and entered (KEEL_LOAD_ADDR); inside DRAM."),
    default_image: folderName("Image (images/<name>.yaml) built when none is named.").optional(),
    qemu: z
      .strictObject({
        binary: text("QEMU system emulator to run, e.g. qemu-system-riscv64."),
        machine: text("QEMU machine (-M)."),
        cpu: text("QEMU CPU model (-cpu)."),
        smp: count("Number of QEMU harts (-smp); must equal harts.", 1),
        memory: size("QEMU memory (-m); at least the DRAM size, a whole number of MiB."),
        args: flags("Further QEMU arguments, placed before -kernel."),
        from: z
          .enum(["host", "debian-backports"])
          .default("host")
          .meta({
            description:
              "Where the QEMU comes from: host = the binary on PATH; debian-backports = Debian 12 backports' " +
              "packages, fetched with apt-get download and unpacked into Keel's cache (never installed).",
          }),
        version: z
          .string()
          .regex(/^\d+\.\d+$/, { error: "expected a QEMU major.minor version such as 10.0" })
          .optional()
          .meta({
            description:
              "QEMU version the port needs (major.minor, checked against --version); required with " +
              "from: debian-backports.",
          }),
      })
      .refine((q) => q.from === "host" || q.version !== undefined, {
        error: 'from: debian-backports needs version (e.g. version: "10.0")',
        path: ["version"],
      })
      .meta({ description: "How to run this port under QEMU." }),
    hypervisor: z
      .strictObject({
        arch: folderName("Architecture folder: hypervisor/arch/<arch>/."),
        isolation: folderName("Isolation mechanism folder: hypervisor/arch/<arch>/isolation/<isolation>/."),
        timer: folderName("Timer mechanism folder: hypervisor/arch/<arch>/timer/<timer>/."),
        drivers: z.array(folderName("Driver folder: hypervisor/drivers/<driver>/.")).default([]).meta({
          description: "Driver folders compiled into the hypervisor: hypervisor/drivers/<driver>/.",
        }),
        link: z
          .strictObject({ stack_size: size("Stack per hart (KEEL_STACK_SIZE), a multiple of 16.") })
          .meta({ description: "Link-time layout." }),
        defines: z
          .record(
            z.string().regex(/^[A-Z_][A-Z0-9_]*$/, { error: "expected an upper-case C macro name" }),
            defineValue("Macro value: an integer, or a string emitted as a C string literal."),
          )
          .default({})
          .meta({ description: "Extra #defines appended to keel_port.h, e.g. { KEEL_HAS_SSTC: 1 }." }),
        cflags: flags("Compiler flags for the hypervisor's C files (target ISA, ABI, code model)."),
        asflags: flags("Compiler flags for the hypervisor's .S files."),
      })
      .meta({ description: "How to build the hypervisor for this port (see docs/design/build-inputs.md)." }),
  })
  .meta({
    title: "Keel port",
    description: "A hardware port: the machine Keel runs on and how to build and boot it. See docs/ports.md.",
  });

/** A port file as written, after the schema check (addresses and sizes already bigints). */
export type PortFile = z.output<typeof PortSchema>;
