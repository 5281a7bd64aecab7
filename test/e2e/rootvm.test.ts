// The root VM's pipeline for real: Linux 6.1 and BusyBox 1.35 from Debian's source packages, keelctl, the
// initramfs and the payload ELF, built into an image; the kernel boots the initramfs under QEMU's own OpenSBI
// (a check of the recipe outputs independent of the hypervisor); after `keel clean` the rebuild takes the
// kernel and BusyBox from the cache; a changed fragment (CONFIG_PRINTK_TIME=y) makes --explain name it, misses
// the cache and rebuilds the kernel in the persistent work tree, recompiling only what the changed symbol
// affects, without Kbuild ever running conf; the new kernel boots with printk timestamps; changing the
// fragment back is a cache hit; the original rebuilt in the work tree (its entry forgotten) has the first
// build's bytes. Uses the user's recipe cache, so the boot tests after it reuse the kernel. A
// cold cache costs about 4 minutes on 2 cores, a warm one well under a minute. Debian only.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { cacheDir, ContentCache } from "../../src/store/store.ts";
import { buildImage } from "../../src/build/run.ts";
import { readCpio } from "../../src/initramfs/cpio.ts";
import { forgetLinuxEntries } from "../../src/guest/recipe.ts";
import { gunzip } from "../../src/initramfs/gzip.ts";
import { INITRD_GPA, LINUX_LOAD_GPA, readInitrdNote } from "../../src/payload/linux.ts";
import { parseElf } from "../../src/elf/read.ts";
import { runCaptured } from "../../src/qemu/run.ts";
import { CollectStream, copyCheckout } from "./helpers.ts";

const DEBIAN = existsSync("/etc/debian_version");

/** Boots a kernel + initramfs under QEMU's OpenSBI, runs a few commands in the shell; the console text. */
async function bootOpenSbi(image: string, initrd: string): Promise<string> {
  const boot = await runCaptured(
    [
      "qemu-system-riscv64",
      "-M",
      "virt",
      "-m",
      "256M",
      "-smp",
      "2",
      "-bios",
      "default",
      "-nographic",
      "-kernel",
      image,
      "-initrd",
      initrd,
      "-append",
      "console=hvc0",
    ],
    {
      timeoutMs: 60_000,
      interactions: [
        {
          waitFor: /type keelctl list[^\n]*\n[\s\S]*# $/,
          send: "nproc; hostname; keelctl list; poweroff -f\n",
        },
      ],
    },
  );
  const console = boot.output.replace(/\r/g, "");
  assert.equal(boot.timedOut, false, console);
  assert.match(console, /keel rootvm: Linux 6\.1\.\d+, 2 CPU\(s\)/, console);
  assert.match(console, /\n2\n/, "nproc says 2");
  return console;
}

/** What the kernel recipe said about its configuration: `N symbol(s) changed: ...` or `fresh work tree, N symbols set`. */
function configuredLine(status: string): string {
  const m = /keel: linux rootvm: configured by Keel's Kconfig engine in [^;\n]*; ([^\n]*)/.exec(status);
  assert.ok(m, status);
  return m[1]!;
}

/** The C files Kbuild compiled, from a kernel build's log. */
function compiledFiles(log: string): number {
  return log.split("\n").filter((l) => /^ {2}CC {6}/.test(l)).length;
}

/** The .config of each kernel work tree in the cache. */
function workTreeConfigs(): string[] {
  const work = join(cacheDir(process.env), "work");
  if (!existsSync(work)) return [];
  return readdirSync(work)
    .map((w) => join(work, w, "tree", ".config"))
    .filter((f) => existsSync(f))
    .map((f) => readFileSync(f, "utf8"));
}

/** Kernel work trees in the cache in which Kbuild built its own conf (there must be none). */
function confBinaries(): string[] {
  const work = join(cacheDir(process.env), "work");
  if (!existsSync(work)) return [];
  return readdirSync(work)
    .map((w) => join(work, w, "tree", "scripts", "kconfig", "conf"))
    .filter((f) => existsSync(f));
}
const IMAGE = `description: The Linux root VM alone (test/e2e/rootvm.test.ts)
capsules:
  - name: root
    guest: rootvm
    ram: 128M
`;

test(
  "rootvm: builds, boots under OpenSBI, cached after clean, a fragment change rebuilds the kernel incrementally",
  { skip: !DEBIAN && "not a Debian host", timeout: 15 * 60_000 },
  async (t) => {
    const co = copyCheckout("keel-rootvm-");
    try {
      writeFileSync(join(co.root, "images", "rootvm.yaml"), IMAGE);
      const outDir = join(co.root, "out");
      const env = { ...process.env, SOURCE_DATE_EPOCH: "1700000000" };
      const req = { root: co.root, outDir, image: "rootvm", env, explain: true };
      const bd = join(outDir, "qemu-virt-Debug");

      // 1. Cold cache: everything is built.
      let t0 = Date.now();
      const cold = new CollectStream();
      const first = await buildImage({ ...req, status: cold });
      const coldMs = Date.now() - t0;
      assert.match(cold.text, /keel: linux rootvm: cache (miss, built in|hit [0-9a-f]{12}, not rebuilt)/);
      assert.match(cold.text, /keel: busybox rootvm: cache (miss, built in|hit [0-9a-f]{12}, not rebuilt)/);
      assert.ok(existsSync(first.elf));

      const payload = readFileSync(join(bd, "guests", "rootvm.elf"));
      const elf = parseElf(payload);
      assert.equal(elf.entry, LINUX_LOAD_GPA);
      const note = readInitrdNote(payload);
      const cpioGz = readFileSync(join(bd, "guests", "rootvm", "initramfs.cpio.gz"));
      assert.deepEqual(note, { start: INITRD_GPA, end: INITRD_GPA + BigInt(cpioGz.length) });
      const names = readCpio(gunzip(cpioGz)).map((m) => m.name);
      for (const n of ["init", "bin/busybox", "bin/keelctl", "bin/sh", "dev/console"])
        assert.ok(names.includes(n), n);
      const file = spawnSync("file", [join(bd, "recipes", "rootvm", "busybox", "busybox")], {
        encoding: "utf8",
      });
      if (file.status === 0) assert.match(file.stdout, /RISC-V.*statically linked/);

      // 2. The kernel accepts the initramfs: boot them under QEMU's OpenSBI and talk to the shell.
      const image = join(bd, "recipes", "rootvm", "linux", "Image");
      const initrd = join(bd, "guests", "rootvm", "initramfs.cpio.gz");
      const imageA = readFileSync(image);
      const console = await bootOpenSbi(image, initrd);
      assert.match(console, /\nrootvm\n/, "hostname from /etc/hostname");
      assert.match(console, /keelctl: list: the Keel SBI extension is absent/);
      assert.doesNotMatch(console, /^\[ +\d+\.\d{6}\] /m, "no printk timestamps without PRINTK_TIME");

      // 3. keel clean, then build again: the kernel and BusyBox come from the cache.
      rmSync(outDir, { recursive: true, force: true });
      t0 = Date.now();
      const again = new CollectStream();
      await buildImage({ ...req, status: again });
      const cachedMs = Date.now() - t0;
      assert.match(again.text, /keel: explain: qemu-virt-Debug\/recipes\/rootvm\/linux\/Image: new step/);
      assert.match(again.text, /keel: linux rootvm: cache hit [0-9a-f]{12}, not rebuilt/);
      assert.match(again.text, /keel: busybox rootvm: cache hit [0-9a-f]{12}, not rebuilt/);
      assert.doesNotMatch(again.text, /cache miss/);
      assert.ok(
        readFileSync(join(bd, "guests", "rootvm.elf")).equals(payload),
        "same payload bytes from the cache",
      );

      // 4. A changed fragment: the kernel step reruns, explain names the fragment, the cache misses, the
      // kernel is rebuilt in the work tree (only what PRINTK_TIME affects when the tree was there already).
      const fragmentFile = join(co.root, "guests", "rootvm", "linux.fragment");
      const fragmentA = readFileSync(fragmentFile, "utf8");
      const fragmentB = `${fragmentA}CONFIG_PRINTK_TIME=y\n`;
      const forgotten = await forgetLinuxEntries(new ContentCache(cacheDir(process.env)), fragmentB);
      const configA = readFileSync(join(bd, "recipes", "rootvm", "linux", "config"), "utf8");
      const wasAtA = workTreeConfigs().includes(configA);
      writeFileSync(fragmentFile, fragmentB);
      const changed = new CollectStream();
      t0 = Date.now();
      await buildImage({ ...req, status: changed });
      const rebuildMs = Date.now() - t0;
      assert.match(
        changed.text,
        /keel: explain: qemu-virt-Debug\/recipes\/rootvm\/linux\/Image: input guests\/rootvm\/linux.fragment changed/,
      );
      assert.match(changed.text, /keel: linux rootvm: cache miss, built in/);
      const configured = configuredLine(changed.text);
      const log = readFileSync(join(outDir, ".keel", "logs", "linux-rootvm.log"), "utf8");
      const compiled = compiledFiles(log);
      if (wasAtA) {
        // The work tree held the repo's fragment: exactly PRINTK_TIME changed, a few files recompiled.
        assert.equal(configured, "1 symbol(s) changed: PRINTK_TIME", changed.text);
        assert.ok(compiled >= 1 && compiled < 20, `an incremental rebuild compiled ${compiled} files`);
      }
      assert.deepEqual(confBinaries(), [], "Kbuild never built scripts/kconfig/conf");
      const imageB = readFileSync(image);
      assert.ok(!imageB.equals(imageA), "the rebuilt kernel differs");
      assert.match(
        readFileSync(join(bd, "recipes", "rootvm", "linux", "config"), "utf8"),
        /^CONFIG_PRINTK_TIME=y$/m,
      );
      const consoleB = await bootOpenSbi(image, initrd);
      assert.match(consoleB, /^\[ +\d+\.\d{6}\] /m, "printk timestamps with PRINTK_TIME");

      // 5. Back to the original fragment: a cache hit, the first kernel's bytes.
      writeFileSync(fragmentFile, fragmentA);
      const reverted = new CollectStream();
      t0 = Date.now();
      await buildImage({ ...req, status: reverted });
      const revertMs = Date.now() - t0;
      assert.match(reverted.text, /keel: linux rootvm: cache hit [0-9a-f]{12}, not rebuilt/);
      assert.ok(readFileSync(image).equals(imageA), "the original kernel again");
      // 6. The original once more, rebuilt in the work tree this time (its entry forgotten, its output
      // removed so the step runs): exactly PRINTK_TIME changes back, and the bytes are the first build's —
      // an incremental build is reproducible. This also leaves the work tree at the repo's fragment.
      const forgottenA = await forgetLinuxEntries(new ContentCache(cacheDir(process.env)), fragmentA);
      rmSync(image);
      const back = new CollectStream();
      t0 = Date.now();
      await buildImage({ ...req, status: back });
      const backMs = Date.now() - t0;
      assert.match(back.text, /keel: linux rootvm: cache miss, built in/);
      assert.equal(configuredLine(back.text), "1 symbol(s) changed: PRINTK_TIME", back.text);
      const backCompiled = compiledFiles(
        readFileSync(join(outDir, ".keel", "logs", "linux-rootvm.log"), "utf8"),
      );
      assert.ok(
        readFileSync(image).equals(imageA),
        "rebuilt incrementally, the same bytes as the first build",
      );
      assert.deepEqual(confBinaries(), [], "Kbuild never built scripts/kconfig/conf");
      t.diagnostic(
        `first build ${coldMs} ms, after clean ${cachedMs} ms, fragment change ${rebuildMs} ms ` +
          `(${wasAtA ? "from the repo's fragment" : "from another configuration"}: ${configured}; ${compiled} files compiled` +
          `${forgotten ? `; its cached entry forgotten first` : ""}), revert ${revertMs} ms (cache hit), ` +
          `the original rebuilt incrementally ${backMs} ms (${backCompiled} files compiled, ${forgottenA} entry forgotten, same bytes)`,
      );
    } finally {
      co.dispose();
    }
  },
);
