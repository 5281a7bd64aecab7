// Boot tests: each row builds an image for a port, boots it in real QEMU with a timeout, and checks what
// the console printed (in order) and QEMU's exit status (set by the hypervisor through the test device).
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildImage } from "../../src/build/run.ts";
import { qemuArgv } from "../../src/port/emit-qemu.ts";
import { cacheDir } from "../../src/store/store.ts";
import { probeRun } from "../../src/toolchain/probe.ts";
import { provideQemu } from "../../src/qemu/provide.ts";
import { runCaptured, type Interaction } from "../../src/qemu/run.ts";
import { realHostEnv } from "../../src/recipe/host.ts";
import { CollectStream, ROOT } from "../e2e/helpers.ts";

interface BootCase {
  image: string;
  port: string;
  /** Each must match a line, in this order (other lines may come between). */
  expect: readonly RegExp[];
  /** Pairs [a, b]: a line matching a must come before one matching b (independent of `expect`). */
  unordered?: readonly (readonly [RegExp, RegExp])[];
  /** Must match no line. */
  forbid?: readonly RegExp[];
  /** Any further check on the console lines: a message saying what is wrong, or undefined. */
  check?: (lines: readonly string[]) => string | undefined;
  exit: number;
  timeoutMs?: number;
  /** Typed into the console (QEMU's stdin) when the output since the last one matches. */
  interactions?: readonly Interaction[];
  /** Why the case cannot run on this host, if it cannot. */
  skip?: string | false;
}

/** Ctrl-], the console key prefix (README "Console keys"). */
const KEY = "\x1d";
/** The rootvm image builds Linux and BusyBox from Debian's source packages (cached after the first build). */
const NOT_DEBIAN = !existsSync("/etc/debian_version") && "not a Debian host";
const ROOT_PROMPT = /\[root\] \/ # /;

/** rootvm-ttys0: the guest prints seq 1..SEQ_LINES, then the MD5 of that text. */
const SEQ_LINES = 2000;

/** The number lines after the command line are exactly 1..SEQ_LINES, and the guest's MD5 of them matches. */
function checkSeq(lines: readonly string[]): string | undefined {
  const start = lines.findIndex((l) => l.includes(`seq 1 ${SEQ_LINES} | md5sum`));
  const sum = lines.findIndex((l, i) => i > start && /^\[root\] [0-9a-f]{32} {2}-$/.test(l));
  if (start < 0 || sum < 0) return "no seq command line or no md5sum line after it";
  const numbers = lines
    .slice(start + 1, sum)
    .map((l) => /^\[root\] (\d+)$/.exec(l)?.[1])
    .filter((n): n is string => n !== undefined);
  const want = Array.from({ length: SEQ_LINES }, (_, i) => String(i + 1));
  if (numbers.join(",") !== want.join(",")) {
    return `seq output: ${numbers.length} number lines, want 1..${SEQ_LINES} in order`;
  }
  const md5 = createHash("md5")
    .update(`${numbers.join("\n")}\n`)
    .digest("hex");
  const printed = lines[sum]!.slice("[root] ".length, "[root] ".length + 32);
  return md5 === printed ? undefined : `md5 of what arrived ${md5}, the guest printed ${printed}`;
}

/**
 * Starts a 30 s sleep in the root VM's shell three times and stops it with Ctrl-C, Ctrl-\\ and Ctrl-Z. The
 * job says "sleeper-2" once it runs (in the foreground process group), and only then is the key typed; the
 * shell's next command prints the job's status: 130 (SIGINT), 131 (SIGQUIT), then the stopped job is killed.
 */
function interruptSleep(prompt: RegExp): Interaction[] {
  const sleeper = "sh -c 'echo sleeper-$((1+1)); exec sleep 30'\n";
  const ready = /\[root\] sleeper-2\n/;
  return [
    { waitFor: prompt, send: sleeper },
    { waitFor: ready, send: "\x03" },
    { waitFor: /\/ # /, send: "echo rc=$?\n" },
    { waitFor: /\[root\] rc=\d+\n[\s\S]*\/ # /, send: sleeper },
    { waitFor: ready, send: "\x1c" },
    { waitFor: /\/ # /, send: "echo rc=$?\n" },
    { waitFor: /\[root\] rc=\d+\n[\s\S]*\/ # /, send: sleeper },
    { waitFor: ready, send: "\x1a" },
    { waitFor: /Stopped[\s\S]*\/ # /, send: "kill -9 %1; wait; echo stopped-ok\n" },
  ];
}
const SLEEP_INTERRUPTED = [/^\[root\] rc=130$/, /^\[root\] rc=131$/, /Stopped/, /^\[root\] stopped-ok$/];

/** The default time slice (CONFIG_SLICE_US, hypervisor/core/Kconfig) and what a loaded host (2 cores shared by
 * several QEMUs) may add to a neighbour's gap without any fault of the hypervisor. */
const SLICE_MS = 5;
const GAP_MARGIN_MS = 1000;
const BEAT_DONE = /^\[beat\] beat: largest gap \d+ us in \d+ ms, canary intact$/;

/** The beat neighbour (guests/beat) was never kept off its hart longer than one time slice plus the margin. */
function beatGap(lines: readonly string[]): string | undefined {
  const gaps = lines
    .map((l) => /^\[beat\] beat: largest gap (\d+) us in /.exec(l)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number);
  if (gaps.length === 0) return "no largest-gap line from beat";
  const worst = Math.max(...gaps) / 1000;
  const bound = SLICE_MS + GAP_MARGIN_MS;
  return worst <= bound ? undefined : `beat was kept off its hart ${worst} ms (bound ${bound} ms)`;
}

/** The console allowance (hypervisor/include/keel/config.h): a burst, then a rate. */
const CONSOLE_BURST = 64 * 1024;
const CONSOLE_RATE = 16 * 1024;

/** A C0 control byte other than tab and CR (a terminal may add CRs), or DEL. */
function hasControl(line: string): boolean {
  return [...line].some((ch) => {
    const c = ch.charCodeAt(0);
    return (c < 0x20 && ch !== "\t" && ch !== "\r") || c === 0x7f;
  });
}

/** No control byte reached the console, and forge's lines (tag and newline included) fit in what the allowance
 * gave over the time the guest measured. */
function checkForge(lines: readonly string[]): string | undefined {
  const raw = lines.find(hasControl);
  if (raw !== undefined) return `a control byte reached the console: ${JSON.stringify(raw)}`;
  const ms = lines
    .map((l) => /^\[forge\] attack: 100000 empty lines, (\d+) ms until this line$/.exec(l)?.[1])
    .find(Boolean);
  if (ms === undefined) return "no timing line from forge";
  const shown = lines.filter((l) => l.startsWith("[forge] ")).reduce((n, l) => n + l.length + 1, 0);
  const bound = CONSOLE_BURST + (CONSOLE_RATE * (Number(ms) + 1000)) / 1000;
  return shown <= bound
    ? undefined
    : `${shown} bytes of forge's lines on the console, the allowance gives ${bound}`;
}

const BANNER = /^\[keel\] Keel \d+\.\d+\.\d+ \(commit [0-9a-f]+(-dirty)?|unknown/;
const HELLO_OK = [/^\[hello\] hello: hello from vCPU 0$/, /^\[hello\] hello: all \d+ checks passed$/];

/** QEMU 10 comes from Debian 12's backports (src/qemu/provide.ts), so its rows need a Debian 12 host. */
const NOT_BOOKWORM =
  !(
    existsSync("/etc/os-release") &&
    /^VERSION_CODENAME=bookworm$/m.test(readFileSync("/etc/os-release", "utf8"))
  ) && "QEMU 10 comes from Debian 12 backports: not a Debian 12 host";

/** The SBI conformance guest runs on every port, with expectations by QEMU version (sbiconfCase). */
const SBICONF_PORTS = ["qemu-virt", "qemu-virt-nosstc", "qemu10-virt"];

/** The timer-visibility rules QEMU 7.2 cannot pass: its vsip read hides VSTIP (docs/qemu10.md). */
const QEMU72_STIP_SKIPS = ["time.set_timer_0_sets_stip", "time.pending_while_masked"];

/**
 * The SBI conformance guest: one PASS/FAIL/SKIP line per rule of the spec; it ends with an SRST shutdown whose
 * 32-bit arguments carry junk above bit 31 (so a clean shutdown is itself the last rule). On QEMU 10 every rule
 * passes; on QEMU 7.2 exactly the two sip.STIP rules skip, after checking that the interrupt is delivered.
 */
function sbiconfCase(port: string): BootCase {
  const qemu10 = port === "qemu10-virt";
  const skips = qemu10 ? [] : QEMU72_STIP_SKIPS;
  const skipLine = (rule: string): RegExp =>
    new RegExp(`^\\[sbiconf\\] sbiconf: SKIP ${rule.replace(/\./g, "\\.")}: `);
  return {
    image: "sbiconf",
    port,
    expect: [
      /^\[sbiconf\] sbiconf: PASS encoding\.unknown_eid_not_supported$/,
      /^\[sbiconf\] sbiconf: PASS time\.sie_stie_writable$/,
      ...(qemu10 ? [/^\[sbiconf\] sbiconf: PASS time\.set_timer_0_sets_stip$/] : skips.map(skipLine)),
      /^\[sbiconf\] sbiconf: PASS hsm\.suspend_type_u32_retentive_resumes$/,
      new RegExp(`^\\[sbiconf\\] sbiconf: \\d+ rules: \\d+ passed, 0 failed, ${skips.length} skipped$`),
      /^\[keel\] capsule sbiconf: shut down$/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    check: (lines) => {
      const skipped = lines.filter((l) => l.includes("sbiconf: SKIP ")).length;
      return skipped === skips.length ? undefined : `${skipped} SKIP lines, want ${skips.length}`;
    },
    forbid: [/FAIL/],
    exit: 0,
    ...(qemu10 ? { skip: NOT_BOOKWORM } : {}),
  };
}

const CASES: readonly BootCase[] = [
  {
    image: "hello",
    port: "qemu-virt",
    expect: [
      BANNER,
      /^\[keel\] 2 harts, 256 MiB RAM/,
      ...HELLO_OK,
      /^\[keel\] capsule hello: shut down/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    forbid: [/FAIL/],
    exit: 0,
  },
  {
    // Seven attackers killed, one line each; beat (first, on hart 0) keeps its gaps bounded and its canary.
    image: "isolation",
    port: "qemu-virt",
    expect: [/^\[hello\] hello: all \d+ checks passed$/, /^\[keel\] all capsules ended: 2 clean, 7 failed$/],
    // m-csr: reading mstatus is an illegal instruction, which goes to the guest (it handles its own): the
    // guest sees it as one, never reads the register, and fails on purpose.
    unordered: [
      [/^\[beat\] beat: running 3000 ms$/, BEAT_DONE],
      [
        /^\[atk-m-csr\] isolation: reading mstatus$/,
        /^\[atk-m-csr\] isolation: m-csr refused: illegal instruction delivered to the guest$/,
      ],
    ],
    forbid: [/survived/, /FAIL/, /^\[atk-m-csr\] isolation: read /],
    check: beatGap,
    exit: 1,
  },
  {
    image: "timer",
    port: "qemu-virt",
    expect: [
      /^\[timer\] timer: sbi ticks 5$/,
      /^\[timer\] timer: sstc ticks 5$/,
      /^\[timer\] timer: PASS$/,
      /all capsules ended: 1 clean, 0 failed/,
    ],
    forbid: [/FAIL/],
    exit: 0,
  },
  {
    // Both capsules greet before either finishes: they really run at once, one per hart.
    image: "pair",
    port: "qemu-virt",
    expect: [
      /^\[keel\] capsule hello-0: hart 0,/,
      /^\[keel\] capsule hello-1: hart 1,/,
      /all capsules ended: 2 clean, 0 failed/,
    ],
    unordered: [
      [/^\[hello-0\] hello: hello from vCPU 0$/, /^\[hello-1\] hello: all \d+ checks passed$/],
      [/^\[hello-1\] hello: hello from vCPU 0$/, /^\[hello-0\] hello: all \d+ checks passed$/],
    ],
    forbid: [/FAIL/],
    exit: 0,
  },
  {
    image: "reboot",
    port: "qemu-virt",
    expect: [
      /^\[hello\] hello: boot count 0$/,
      /^\[hello\] hello: rebooting$/,
      /^\[hello\] hello: boot count 1$/,
      ...HELLO_OK.slice(1),
      /1 clean, 0 failed/,
    ],
    exit: 0,
  },
  {
    // One capsule, 4 vCPUs on 2 harts: HSM start (and its errors), IPI ping-pong, remote fences,
    // timer interrupts on every vCPU while oversubscribed, HSM suspend and stop, one line per phase.
    image: "smp",
    port: "qemu-virt",
    expect: [
      /^\[keel\] capsule smp: 4 vCPUs/,
      /^\[smp\] smp: device tree lists 4 vCPUs$/,
      /^\[smp\] smp: hsm errors ok \(bad hartid -3, bad address -5, already started -6\)$/,
      /^\[smp\] smp: hsm start ok, vCPUs 1-3 STARTED with a0 = id, a1 = opaque, satp = 0, SIE = 0$/,
      /^\[smp\] smp: ipi ping-pong ok, 20 rounds, 20 IPIs taken by each of vCPUs 1-3$/,
      /^\[smp\] smp: ipi errors ok \(absent vCPU -3\)$/,
      /^\[smp\] smp: rfence ok, 20 rounds of fence.i, sfence.vma, sfence.vma.asid; vCPUs 1-3 kept running$/,
      /^\[smp\] smp: timer ok, 5 ticks on each of 4 vCPUs sharing the harts$/,
      /^\[smp\] smp: hsm suspend ok \(retentive and non-retentive, status SUSPENDED, woken by IPI\)$/,
      /^\[smp\] smp: hsm stop ok, vCPUs 1-3 STOPPED$/,
      /^\[smp\] smp: hsm restart ok, vCPU 1 started again and stopped$/,
      /^\[smp\] smp: PASS$/,
      /^\[keel\] capsule smp: shut down$/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    forbid: [/FAIL/],
    exit: 0,
    timeoutMs: 60_000,
  },
  {
    // vCPU 2 of the smp capsule reads outside its RAM while its siblings run: the whole capsule is killed.
    image: "smp-kill",
    port: "qemu-virt",
    expect: [
      /^\[smp\] smp: ipi ping-pong ok/,
      /^\[smp\] smp: vCPU 2 reads outside RAM$/,
      /^\[keel\] capsule smp: killed: load guest-page fault at pc 0x[0-9a-f]+, addr 0x90000000$/,
      /^\[keel\] all capsules ended: 0 clean, 1 failed$/,
    ],
    forbid: [/smp: PASS/],
    exit: 1,
    timeoutMs: 60_000,
  },
  {
    // Three CPU-bound capsules on two harts each count work for 1 s of guest time: within 2x of each other.
    image: "fairness",
    port: "qemu-virt",
    expect: [/^\[keel\] all capsules ended: 3 clean, 0 failed$/],
    forbid: [/FAIL/],
    check: (lines) => {
      const counts = ["work-a", "work-b", "work-c"].map((name) => {
        const line = lines.find((l) => l.startsWith(`[${name}] work: `) && l.includes(" units in "));
        return Number(/work: (\d+) units in/.exec(line ?? "")?.[1] ?? NaN);
      });
      if (counts.some((n) => !(n > 0))) return `no work count from every capsule: ${counts.join(", ")}`;
      const ratio = Math.max(...counts) / Math.min(...counts);
      return ratio <= 2 ? undefined : `unfair: counts ${counts.join(", ")}, max/min ${ratio.toFixed(2)} > 2`;
    },
    exit: 0,
    timeoutMs: 60_000,
  },
  {
    // hostile turns its interrupts off and spins 5 s on hart 0; hello shares that hart and still finishes
    // first: the M-mode timer preempts the spinner. beat, on the same hart, keeps its gaps bounded.
    image: "hostile",
    port: "qemu-virt",
    expect: [
      /^\[keel\] capsule beat: hart 0,/,
      /^\[keel\] capsule hostile: hart 0,/,
      /^\[keel\] capsule hello: hart 0,/,
      /^\[hostile\] hostile: interrupts off, spinning 5000$/,
      /^\[hello\] hello: all \d+ checks passed$/,
      /^\[keel\] capsule hello: shut down$/,
      /^\[hostile\] hostile: done spinning$/,
      /^\[keel\] capsule hostile: shut down$/,
      /^\[keel\] all capsules ended: 3 clean, 0 failed$/,
    ],
    unordered: [[/^\[beat\] beat: running 3000 ms$/, BEAT_DONE]],
    forbid: [/FAIL/],
    check: beatGap,
    exit: 0,
    timeoutMs: 60_000,
  },
  {
    // Both on hart 1; the high-priority capsule, second in the image, runs to its end before the other starts.
    image: "priority",
    port: "qemu-virt",
    expect: [
      /^\[keel\] capsule high: hart 1, .*, priority high$/,
      /^\[high\] work: counting for 300 ms/,
      /^\[high\] work: \d+ units in 300 ms/,
      /^\[normal\] work: counting for 300 ms/,
      /^\[normal\] work: \d+ units in 300 ms/,
      /^\[keel\] all capsules ended: 2 clean, 0 failed$/,
    ],
    forbid: [/FAIL/],
    exit: 0,
    timeoutMs: 60_000,
  },
  {
    // Console input through the multiplexer: echo-b has the focus first (console: focus) and reads with
    // DBCN; Ctrl-] 0 moves the input to echo-a (legacy getchar), Ctrl-] l lists, Ctrl-] 1 moves it back.
    // echo-b also tries the Keel SBI extension without owning the machine: LIST works, STOP is denied.
    image: "echo",
    port: "qemu-virt",
    expect: [
      /^\[keel\] console: input goes to capsule echo-b \(1\); Ctrl-\] h for the console keys$/,
      /^\[echo-b\] echo: keel list 0 echo-a running 1 vCPU\(s\) 16 MiB$/,
      /^\[echo-b\] echo: keel stop denied: yes$/,
      /^\[echo-b\] echo: keel log denied: yes$/,
      /^\[echo-b\] echo: keel list to a bad address: refused$/,
      // An unknown console key is named as typed: the letter, or Ctrl-<letter>.
      /^\[keel\] console: Ctrl-\] x is not a console key \(Ctrl-\] h for help\)$/,
      /^\[keel\] console: Ctrl-\] Ctrl-B is not a console key \(Ctrl-\] h for help\)$/,
      /^\[echo-b\] echo: got "to b"$/,
      /^\[keel\] console: input goes to capsule echo-a \(0\); /,
      /^\[echo-a\] echo: got "to a"$/,
      /^\[keel\] console: 2 capsules, input to echo-a:$/,
      /^\[keel\] +0 +echo-a +running +1 vCPU +16 MiB +<- input$/,
      /^\[keel\] +1 +echo-b +running +1 vCPU +16 MiB$/,
      /^\[echo-a\] echo: bye$/,
      /^\[keel\] capsule echo-a: shut down$/,
      /^\[keel\] console: input goes to capsule echo-b \(1\); /,
      /^\[echo-b\] echo: bye$/,
      /^\[keel\] all capsules ended: 2 clean, 0 failed$/,
    ],
    unordered: [[/^\[echo-a\] echo: ready \(legacy getchar\)/, /^\[echo-a\] echo: got "to a"$/]],
    forbid: [/FAIL/, /^\[echo-a\] echo: got "to b"$/, /^\[echo-b\] echo: got "to a"$/],
    interactions: [
      { waitFor: /\[echo-b\] echo: ready \(dbcn read\)/, send: `${KEY}x${KEY}\x02to b\n` },
      { waitFor: /\[echo-b\] echo: got "to b"/, send: `${KEY}0` },
      { waitFor: /input goes to capsule echo-a/, send: "to a\n" },
      { waitFor: /\[echo-a\] echo: got "to a"/, send: `${KEY}l` },
      { waitFor: /<- input/, send: "quit\n" },
      { waitFor: /capsule echo-a: shut down/, send: `${KEY}1quit\n` },
    ],
    exit: 0,
    timeoutMs: 60_000,
  },
  {
    // 400 KB at once: whole lines past the capsule's console allowance are dropped and counted.
    image: "flood",
    port: "qemu-virt",
    expect: [
      /^\[flood\] echo: flooding 400000 bytes$/,
      /^\[keel\] capsule flood: output dropped \(\d+ bytes\)$/,
      /^\[flood\] echo: flood done \(the writes took \d+ ticks\)$/,
      /^\[flood\] echo: got "quit"$/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    check: (lines) => {
      const shown = lines.filter((l) => l.startsWith("[flood] echo: flood 0123")).length * 64;
      const dropped = lines
        .map((l) => /output dropped \((\d+) bytes\)/.exec(l)?.[1])
        .reduce((n, d) => n + Number(d ?? 0), 0);
      // The allowance (hypervisor/include/keel/config.h): a 64 KiB burst, refilled at 16 KiB/s of the
      // timebase. A loaded host makes the guest's writes take longer, so the bound follows their time.
      const timebase = Number(/timebase (\d+) Hz/.exec(lines.join("\n"))?.[1]);
      const ticks = Number(/flood done \(the writes took (\d+) ticks\)/.exec(lines.join("\n"))?.[1]);
      if (!timebase || Number.isNaN(ticks)) return "no timebase or flood time on the console";
      const allowance = 64 * 1024 + Math.ceil((16 * 1024 * ticks) / timebase) + 64;
      if (shown > allowance)
        return `${shown} bytes shown: more than the allowance (${allowance} in ${ticks} ticks) lets through`;
      return shown + dropped === 400000 ? undefined : `shown ${shown} + dropped ${dropped} != 400000`;
    },
    interactions: [{ waitFor: /echo: ready/, send: "quit\n" }],
    exit: 0,
    timeoutMs: 60_000,
  },
  {
    // The Linux root VM (2 vCPUs, owns the machine) next to a hello capsule: BusyBox shell, nproc,
    // /proc/cpuinfo, keelctl list and restart over the Keel SBI extension, reboot restarts every capsule,
    // then poweroff ends everything.
    image: "rootvm",
    port: "qemu-virt",
    skip: NOT_DEBIAN,
    expect: [
      /^\[keel\] capsule root: any hart, 128 MiB RAM at 0x[0-9a-f]+, entry 0x80200000, owns the machine$/,
      /^\[keel\] capsule root: initrd 0x84000000-0x[0-9a-f]+ /,
      /^\[root\] Linux version 6\.1\./,
      /^\[root\] Kernel command line: console=hvc0 earlycon=sbi$/,
      /^\[root\] smp: Brought up 1 node, 2 CPUs$/,
      /^\[root\] keel rootvm: Linux 6\.1\.\d+, 2 CPU\(s\)$/,
      /^\[root\] 2$/,
      ...SLEEP_INTERRUPTED,
      /^\[root\] keelctl: stop root: denied \(the root VM cannot stop or restart itself: use poweroff or reboot\)$/,
      /^\[root\] Illegal instruction$/,
      /^\[root\] sigill-status=132$/,
      /^\[root\] real\s+\d+m ?[\d.]+s$/,
      /^\[root\] abc$/,
      /^\[root\] hart\s+: 1$/,
      /^\[root\] 0 +root +running +2 +128M/,
      /^\[root\] 1 +hello +running +1 +16M/,
      /^\[keel\] capsule hello: restarting \(asked by root\)$/,
      /^\[hello\] hello: hello from vCPU 0$/,
      /^\[keel\] capsule root owns the machine: reboot: every capsule starts again$/,
      /^\[keel\] capsule root: rebooting \(boot 1\)$/,
      /^\[root\] keel rootvm: Linux 6\.1\.\d+, 2 CPU\(s\)$/,
      /^\[keel\] capsule root: shut down$/,
      /^\[keel\] capsule hello: stopped \(machine shutdown\)$/,
      /^\[keel\] all capsules ended: 2 clean, 0 failed$/,
    ],
    // keelctl's answer and the hypervisor's line about the restart come from different harts.
    unordered: [[/^\[root\] 1 +hello +running/, /^\[root\] keelctl: restart hello: ok$/]],
    // ^H or ^? would be the owner's line editing shown in caret notation (only other capsules' are).
    forbid: [/FAIL/, /killed/, /Kernel panic/, /Oops/, /^\[root\].*\^[H?]/],
    // sigill executes an illegal instruction in VU-mode: Linux (not Keel) gets it and kills only that
    // process with SIGILL; that is the one "Illegal instruction" line.
    check: (lines) => {
      const ill = lines.filter((l) => /Illegal instruction/.test(l)).length;
      return ill === 1 ? undefined : `${ill} "Illegal instruction" lines, want 1 (from sigill)`;
    },
    interactions: [
      { waitFor: ROOT_PROMPT, send: "nproc\n" },
      // The console shell has a controlling terminal and its jobs the default signal actions: Ctrl-C,
      // Ctrl-\ and Ctrl-Z reach a foreground job (sleep would otherwise run its 30 s and give status 0).
      ...interruptSleep(/\[root\] 2\n[\s\S]*\/ # /),
      { waitFor: /\[root\] stopped-ok\n[\s\S]*\/ # /, send: "keelctl stop root\n" },
      { waitFor: /stop root: denied[\s\S]*\/ # /, send: "sigill; echo sigill-status=$?\n" },
      // BusyBox time reads the time CSR from user mode (the vDSO): scounteren must allow it.
      { waitFor: /sigill-status=132[\s\S]*\/ # /, send: "time true\n" },
      // A typed DEL: the shell erases with BS on the terminal, which the owner's console passes as it is.
      { waitFor: /\[root\] real\s+\d+m[\s\S]*\/ # /, send: "echo abX\x7fc\n" },
      { waitFor: /\[root\] abc\n[\s\S]*\/ # /, send: "cat /proc/cpuinfo\n" },
      { waitFor: /hart\s+: 1[\s\S]*\/ # /, send: "keelctl list\n" },
      { waitFor: /hello +running[\s\S]*\/ # /, send: "keelctl restart hello\n" },
      { waitFor: /\[hello\] hello: waiting/, send: "reboot\n" },
      { waitFor: /every capsule starts again[\s\S]*\[root\] \/ # /, send: "poweroff\n" },
    ],
    exit: 0,
    timeoutMs: 300_000,
  },
  {
    // The root VM on the emulated ns16550a (devices: [uart], console=ttyS0): Linux's 8250 driver, transmit
    // on the THR-empty interrupt and receive on the receive interrupt through the emulated PLIC, 2 vCPUs.
    // Each interaction waits for the shell prompt, which shows only if the hypervisor writes the unfinished
    // line when the driver turns IER.THRI off. The console is ttyS0; 2000 lines of seq arrive complete and
    // in order, and their MD5 as the guest computes it matches what arrived.
    image: "rootvm-ttys0",
    port: "qemu-virt",
    skip: NOT_DEBIAN,
    expect: [
      /^\[root\] Kernel command line: console=ttyS0$/,
      /^\[root\] smp: Brought up 1 node, 2 CPUs$/,
      /^\[root\] 10000000\.serial: ttyS0 at MMIO 0x10000000 \(irq = \d+, base_baud = \d+\) is a 16550A$/,
      /^\[root\] keel rootvm: Linux 6\.1\.\d+, 2 CPU\(s\)$/,
      /^\[root\] 2$/,
      /^\[root\] ttyS0$/,
      /^\[root\] \/dev\/ttyS0$/,
      /^\[root\] hart\s+: 1$/,
      /^\[root\] Linux version 6\.1\./,
      /^\[root\] Kernel command line: console=ttyS0$/,
      /^\[root\] 2000$/,
      /^\[root\] [0-9a-f]{32} {2}-$/,
      /^\[root\] out-done-42$/,
      /^\[keel\] capsule root: shut down$/,
      /^\[keel\] capsule hello: stopped \(machine shutdown\)$/,
      /^\[keel\] all capsules ended: 2 clean, 0 failed$/,
    ],
    forbid: [/FAIL/, /killed/, /Kernel panic/, /Oops/, /output dropped/],
    check: checkSeq,
    interactions: [
      { waitFor: ROOT_PROMPT, send: "nproc\n" },
      {
        waitFor: /\[root\] 2\n[\s\S]*\/ # /,
        send: "cat /sys/class/tty/console/active; readlink /proc/self/fd/0\n",
      },
      {
        waitFor: /\[root\] \/dev\/ttyS0\n[\s\S]*\/ # /,
        send: `cat /proc/cpuinfo; dmesg | head -50; seq 1 ${SEQ_LINES}; seq 1 ${SEQ_LINES} | md5sum; echo out-done-$((6*7))\n`,
      },
      { waitFor: /\[root\] out-done-42\n[\s\S]*\/ # /, send: "poweroff\n" },
    ],
    exit: 0,
    timeoutMs: 300_000,
  },
  {
    // 5000 fixed-seed random SBI calls with edge-value arguments: every answer a spec error code (the exact
    // one where the rule is simple), and the hypervisor survives.
    image: "sbifuzz",
    port: "qemu-virt",
    expect: [
      /^\[sbifuzz\] sbifuzz: 5000 calls, RAM /,
      /^\[sbifuzz\] sbifuzz: 5000 calls, all answered with spec error codes$/,
      /^\[keel\] capsule sbifuzz: shut down$/,
      /^\[keel\] all capsules ended: 2 clean, 0 failed$/,
    ],
    unordered: [
      [/^\[beat\] beat: running 3000 ms$/, /^\[sbifuzz\] sbifuzz: 5000 calls, all answered/],
      [/^\[beat\] beat: running 3000 ms$/, BEAT_DONE],
    ],
    forbid: [/FAIL/, /PANIC/, /killed/],
    check: beatGap,
    exit: 0,
  },
  ...SBICONF_PORTS.map(sbiconfCase),
  {
    // Illegal instructions (all-zero word, unimp, M-mode CSR reads) go to the guest's own trap handler as
    // scause 2 at their own pc; it skips them and goes on.
    image: "illegal",
    port: "qemu-virt",
    expect: [
      /^\[illegal\] illegal: all-zero word handled by the guest, stval 0x0$/,
      /^\[illegal\] illegal: csrr a0, mstatus handled by the guest, stval (0x0|0x30002573)$/,
      /^\[illegal\] illegal: 4 illegal instructions handled, going on$/,
      /^\[illegal\] illegal: PASS$/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    forbid: [/FAIL/, /killed/],
    exit: 0,
  },
  {
    // restart: on-crash, restart_limit: 100. The capsule crashes on every boot; each boot prints its boot
    // count and finds the marker its previous boot left in RAM scrubbed. The 101st crash ends it.
    image: "restart",
    port: "qemu-virt",
    expect: [
      /^\[crasher\] isolation: boot 0, RAM scrubbed$/,
      /^\[keel\] capsule crasher: killed: load guest-page fault at pc 0x[0-9a-f]+, addr 0x80200000$/,
      /^\[keel\] capsule crasher: restarting after crash \(1 of 100\)$/,
      /^\[crasher\] isolation: boot 1, RAM scrubbed$/,
      /^\[keel\] capsule crasher: restarting after crash \(100 of 100\)$/,
      /^\[crasher\] isolation: boot 100, RAM scrubbed$/,
      /^\[keel\] capsule crasher: crash limit reached \(100 restarts\)$/,
      /^\[keel\] all capsules ended: 0 clean, 1 failed$/,
    ],
    forbid: [/FAIL/, /PANIC/, /survived/],
    check: (lines) => {
      const boots = lines.filter((l) => /^\[crasher\] isolation: boot \d+, RAM scrubbed$/.test(l)).length;
      const kills = lines.filter((l) => l.startsWith("[keel] capsule crasher: killed: ")).length;
      const restarts = lines.filter((l) => /capsule crasher: restarting after crash \(\d+ of 100\)$/.test(l));
      if (boots !== 101) return `${boots} boots saw scrubbed RAM, want 101`;
      if (kills !== 101) return `${kills} kill lines, want 101 (one per crash)`;
      const n = restarts.map((l) => Number(/\((\d+) of/.exec(l)![1]));
      return n.every((k, i) => k === i + 1) && n.length === 100 ? undefined : `restart counts ${n.join(",")}`;
    },
    exit: 1,
    timeoutMs: 30_000,
  },
  {
    // The emulated ns16550a + PLIC: polled THR output on the tagged line; the THR-empty interrupt as Linux's
    // 8250 probes it; then interrupt-driven output (16 bytes per THR-empty interrupt, IER.THRI off when the
    // queue is empty) ending in a prompt with no newline, which must show before the test types (the
    // unfinished line is written when THRI goes off); the typed line read with the receive interrupt and
    // echoed, one IIR source per PLIC claim (so the PLIC must raise the level source again after complete).
    // uart-storm shares hart 0 and for 2 s claims and completes a THR-empty interrupt it never services
    // (two MMIO exits each): uart still gets to its interrupt-driven output before the storm ends. A 4-byte
    // UART load kills uart-bad.
    image: "uart",
    port: "qemu-virt",
    expect: [
      /^\[uart\] uart: THR-empty interrupt: raised by IER\.THRI, cleared by reading IIR, raised by IER\.THRI again$/,
      /^\[uart\] uart: interrupt-driven output, 16 bytes per THR-empty interrupt$/,
      /^\[uart\] (uart: type a line> )?typed-line$/,
      /^\[uart\] uart: got "typed-line" \(interrupt-driven\)$/,
      /^\[uart\] uart: \d+ interrupts: [1-9]\d* receive, [1-9]\d* THR-empty for \d+ bytes$/,
    ],
    unordered: [
      [/^\[uart-bad\] uart: polled output through THR$/, /^\[uart-bad\] uart: 4-byte load from the UART$/],
      [
        /^\[uart-bad\] uart: 4-byte load/,
        /^\[keel\] capsule uart-bad: killed: bad MMIO load at pc 0x[0-9a-f]+, addr 0x10000000 \(4 bytes\)$/,
      ],
      [/^\[uart\] uart: polled output through THR$/, /^\[uart\] uart: THR-empty interrupt/],
      [/^\[uart\] uart: interrupt-driven output/, /^\[uart-storm\] uart: storm: \d+ THR-empty interrupts/],
      [/^\[uart-storm\] uart: storm: \d+ /, /^\[keel\] capsule uart-storm: shut down$/],
      [/^\[uart\] uart: got/, /^\[keel\] all capsules ended: 2 clean, 1 failed$/],
    ],
    forbid: [/FAIL/],
    interactions: [{ waitFor: /\[uart\] uart: type a line> /, send: "typed-line\r" }],
    exit: 1,
  },
  {
    // U-Boot (Debian's u-boot-qemu, S-mode) on the emulated ns16550a: a key stops autoboot, then commands
    // typed through the console focus get U-Boot's answers; poweroff is SBI SRST shutdown.
    image: "uboot",
    port: "qemu-virt",
    expect: [
      /^\[uboot\] U-Boot 20\d\d\.\d\d/,
      /^\[uboot\] (In|Out): +serial@10000000$/,
      /^\[uboot\] => version$/,
      /^\[uboot\] U-Boot 20\d\d\.\d\d/,
      /^\[uboot\] => echo hello-keel$/,
      /^\[uboot\] hello-keel$/,
      /^\[uboot\] => poweroff$/,
      /^\[keel\] capsule uboot: shut down/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    forbid: [/killed/],
    interactions: [
      { waitFor: /Hit any key to stop autoboot/, send: " " },
      { waitFor: /\[uboot\] => $/, send: "version\r" },
      { waitFor: /\[uboot\] U-Boot 20[\s\S]*=> $/, send: "echo hello-keel\r" },
      { waitFor: /\[uboot\] hello-keel\r?\n[\s\S]*=> $/, send: "poweroff\r" },
    ],
    exit: 0,
    timeoutMs: 60_000,
    skip: !existsSync("/usr/lib/u-boot/qemu-riscv64_smode/u-boot.bin") && NOT_DEBIAN,
  },
  {
    // Issue 9, finding 1: remote sfence.vma(.asid) to itself of start 0xfffffffffffff000, size 0xfff once
    // looped forever in M-mode (the page-by-page end wrapped). Both answer; beat on the same hart runs on.
    image: "attack-rfence",
    port: "qemu-virt",
    expect: [
      /^\[beat\] beat: running 2000 ms$/,
      BEAT_DONE,
      /^\[keel\] all capsules ended: 3 clean, 0 failed$/,
    ],
    unordered: [
      [/^\[rfence\] attack: rfence-wrap answered 0$/, BEAT_DONE],
      [/^\[rfence-asid\] attack: rfence-wrap-asid answered 0$/, BEAT_DONE],
    ],
    forbid: [/FAIL/, /PANIC/, /killed/],
    check: beatGap,
    exit: 0,
    timeoutMs: 60_000,
  },
  {
    // Issue 9, finding 6: RESTART right after STOP (beat busy on the other hart, so the STOP is still pending)
    // once answered 0 and left beat stopped. 0 must mean it runs again; else SBI_ERR_ALREADY_STOPPED, and START
    // works once LIST shows it stopped. The owner may read the LOG (others may not: the echo row).
    image: "attack-control",
    port: "qemu-virt",
    expect: [
      /^\[owner\] attack: STOP then RESTART of beat \(id 1\), 5 times$/,
      /^\[owner\] attack: RESTART right after STOP: \d restarted, \d answered already stopped and were started$/,
      /^\[owner\] attack: the owner reads the LOG: yes$/,
      /^\[keel\] capsule owner: shut down$/,
    ],
    forbid: [/FAIL/, /PANIC/, /killed/],
    exit: 0,
    timeoutMs: 90_000,
  },
  {
    // Issue 9, findings 3 and 5: QEMU 7.2 leaves mtval stale for the virtual-instruction trap of hlv.d, so after a
    // wfi it once read as another WFI (skipped, not killed) and reached a U-mode guest's stval; a guest page table
    // on the emulated PLIC once had the walk's PLIC register emulated as the guest's load.
    image: "attack-trap",
    port: "qemu-virt",
    expect: [
      /^\[beat\] beat: running 2000 ms$/,
      BEAT_DONE,
      /^\[keel\] all capsules ended: 2 clean, 2 failed$/,
    ],
    unordered: [
      [
        /^\[wfi-hlv\] attack: wfi, then hlv.d from VS-mode$/,
        /^\[keel\] capsule wfi-hlv: killed: virtual instruction at pc 0x[0-9a-f]+, insn 0x6c0142f3$/,
      ],
      [
        /^\[hlv-stval\] attack: U-mode hlv.d: 200 illegal instructions, stval its own bits \d+ times, 0 \d+ times$/,
        /^\[keel\] capsule hlv-stval: shut down$/,
      ],
      [
        /^\[pt-device\] attack: Sv39 with a last-level page table at the PLIC/,
        /^\[keel\] capsule pt-device: killed: load guest-page fault at pc 0x[0-9a-f]+, addr 0xc000000: page-table access on a device$/,
      ],
    ],
    forbid: [/FAIL/, /PANIC/],
    check: beatGap,
    exit: 1,
    timeoutMs: 60_000,
  },
  {
    // Issue 9, finding 2: one 64 MiB DBCN write once held hart 0 in M-mode for seconds (beat's gap 9 s). Each call
    // now takes at most 4 KiB and says so; the attacker loops, beat on the same hart keeps its gaps bounded.
    image: "attack-dbcn",
    port: "qemu-virt",
    expect: [
      /^\[beat\] beat: running 3000 ms$/,
      BEAT_DONE,
      /^\[keel\] all capsules ended: 2 clean, 0 failed$/,
    ],
    unordered: [
      [
        /^\[dbcn\] attack: DBCN write of 67108864 bytes/,
        /^\[dbcn\] attack: DBCN wrote 67108864 bytes in \d+ calls, at most 4096 per call$/,
      ],
    ],
    forbid: [/FAIL/, /PANIC/, /killed/],
    check: beatGap,
    exit: 0,
    timeoutMs: 120_000,
  },
  {
    // Issue 9, finding 4: ESC, BEL, BS, VT, FF and DEL once reached the shared terminal (a capsule could forge a
    // [keel] line), and the allowance counted payload only (a flood of empty lines got 9 bytes out per byte paid).
    image: "attack-console",
    port: "qemu-virt",
    expect: [
      /^\[forge\] attack: forging$/,
      /^\[forge\] \^\[\[2K\^\[\[1G\[keel\] capsule nb: killed: forged \^G\^H\^K\^L\^\? end$/,
      /^\[keel\] capsule forge: output dropped \(\d+ bytes\)$/,
      /^\[forge\] attack: 100000 empty lines, \d+ ms until this line$/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    forbid: [/FAIL/],
    check: checkForge,
    exit: 0,
    timeoutMs: 60_000,
  },
  {
    image: "fail",
    port: "qemu-virt",
    expect: [
      /^\[hello\] hello: failing on request$/,
      /^\[keel\] capsule hello: failed/,
      /all capsules ended: 0 clean, 1 failed/,
    ],
    exit: 1,
  },
  // qemu-virt-nosstc: the same machine with Sstc off; the guest timer is SBI set_timer only (mtimecmp +
  // injected hvip.VSTIP, hypervisor/arch/riscv/timer/legacy/) and the guest ISA string has no _sstc.
  {
    image: "hello",
    port: "qemu-virt-nosstc",
    expect: [
      BANNER,
      /^\[keel\] 2 harts, 256 MiB RAM/,
      ...HELLO_OK,
      /^\[keel\] capsule hello: shut down/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    forbid: [/FAIL/, /_sstc/],
    exit: 0,
  },
  {
    image: "timer",
    port: "qemu-virt-nosstc",
    expect: [
      /^\[timer\] timer: sbi ticks 5$/,
      /^\[timer\] timer: sstc not offered$/,
      /^\[timer\] timer: PASS$/,
      /all capsules ended: 1 clean, 0 failed/,
    ],
    forbid: [/FAIL/, /_sstc/],
    exit: 0,
  },
  {
    // Timer interrupts on 4 vCPUs over 2 harts: the deadlines of running, preempted and waiting vCPUs.
    image: "smp",
    port: "qemu-virt-nosstc",
    expect: [
      /^\[keel\] capsule smp: 4 vCPUs/,
      /^\[smp\] smp: hsm start ok, /,
      /^\[smp\] smp: ipi ping-pong ok, /,
      /^\[smp\] smp: timer ok, 5 ticks on each of 4 vCPUs sharing the harts$/,
      /^\[smp\] smp: hsm suspend ok /,
      /^\[smp\] smp: PASS$/,
      /^\[keel\] all capsules ended: 1 clean, 0 failed$/,
    ],
    forbid: [/FAIL/],
    exit: 0,
    timeoutMs: 60_000,
  },
];

/**
 * The rows that run again on QEMU 10 (port qemu10-virt, the same machine): the SBI, isolation, timer (Sstc
 * found in QEMU 10's riscv,isa-extensions), scheduling and Linux rows. The rest exercise Keel, not QEMU, and
 * stay on QEMU 7.2 only to keep the added time small.
 */
const ON_QEMU10 = new Set(["hello", "isolation", "timer", "smp", "hostile", "sbifuzz", "illegal", "rootvm"]);
const QEMU10_CASES: readonly BootCase[] = CASES.filter(
  (c) => c.port === "qemu-virt" && ON_QEMU10.has(c.image),
).map((c) => ({ ...c, port: "qemu10-virt", skip: c.skip || NOT_BOOKWORM }));

/** Every memory attack of the isolation guest ends in exactly one kill diagnostic naming its capsule. */
const ATTACKS = ["read-beyond", "write-beyond", "read-hv", "mmio-clint", "mmio-plic", "mmio-uart"];

function checkOrder(lines: readonly string[], expect: readonly RegExp[]): string | undefined {
  let at = 0;
  for (const re of expect) {
    const found = lines.findIndex((l, i) => i >= at && re.test(l));
    if (found < 0) return `no line matching ${re} (after line ${at})`;
    at = found + 1;
  }
  return undefined;
}

const OUT = join(ROOT, "out", "test");
/** What Keel does to the host (fetching QEMU 10 the first time) goes to the test log. */
const say = (line: string): void => void process.stderr.write(`${line}\n`);

for (const c of [...CASES, ...QEMU10_CASES]) {
  test(`boot ${c.image} on ${c.port}`, { skip: c.skip ?? false }, async () => {
    const built = await buildImage({
      root: ROOT,
      outDir: OUT,
      system: c.port,
      image: c.image,
      status: new CollectStream(),
    });
    const program = await provideQemu(built.port, realHostEnv(probeRun, say), cacheDir(process.env));
    const run = await runCaptured(qemuArgv(program, built.port, built.elf), {
      env: { ...process.env, ...program.env },
      timeoutMs: c.timeoutMs ?? 60_000,
      interactions: c.interactions,
    });
    const lines = run.output.split(/\r?\n/);
    const transcript = `--- console ---\n${run.output}\n---------------`;
    assert.equal(run.timedOut, false, `QEMU timed out\n${transcript}`);
    const missing = checkOrder(lines, c.expect);
    assert.equal(missing, undefined, `${missing}\n${transcript}`);
    for (const pair of c.unordered ?? []) {
      const wrong = checkOrder(lines, pair);
      assert.equal(wrong, undefined, `${wrong}\n${transcript}`);
    }
    for (const re of c.forbid ?? []) {
      assert.ok(!lines.some((l) => re.test(l)), `unexpected line matching ${re}\n${transcript}`);
    }
    const wrong = c.check?.(lines);
    assert.equal(wrong, undefined, `${wrong}\n${transcript}`);
    if (c.image === "isolation") {
      for (const a of ATTACKS) {
        const kills = lines.filter((l) => l.startsWith(`[keel] capsule atk-${a}: killed: `));
        assert.equal(kills.length, 1, `attack ${a}: want one kill line\n${transcript}`);
      }
    }
    assert.equal(run.code, c.exit, `exit status\n${transcript}`);
  });
}
