// The root VM's pipeline for real: Linux 6.1 and BusyBox 1.35 from Debian's source packages, keelctl, the
// initramfs and the payload ELF, built into an image; the kernel boots the initramfs under QEMU's own OpenSBI
// (a check of the recipe outputs independent of the hypervisor); after `keel clean` the rebuild takes the
// kernel and BusyBox from the cache; a changed fragment makes --explain name it and the kernel recipe miss the
// cache (the rebuild is then stopped: the cache key itself is unit-tested). Uses the user's recipe cache, so
// the boot tests after it reuse the kernel. A cold cache costs about 4 minutes on 2 cores. Debian only.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { buildImage } from "../../src/cli/build.ts";
import { readCpio } from "../../src/initramfs/cpio.ts";
import { gunzip } from "../../src/initramfs/gzip.ts";
import { INITRD_GPA, LINUX_LOAD_GPA, readInitrdNote } from "../../src/payload/linux.ts";
import { parseElf } from "../../src/image/elf.ts";
import { runCaptured } from "../../src/qemu/run.ts";
import { CollectStream, copyCheckout } from "./helpers.ts";

const DEBIAN = existsSync("/etc/debian_version");
const IMAGE = `description: The Linux root VM alone (test/e2e/rootvm.test.ts)
capsules:
  - name: root
    guest: rootvm
    ram: 128M
`;

test(
  "rootvm: builds, boots under OpenSBI, cached after clean, a fragment change misses the cache",
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
      assert.match(console, /\nrootvm\n/, "hostname from /etc/hostname");
      assert.match(console, /keelctl: list: the Keel SBI extension is absent/);

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

      // 4. A changed fragment: the kernel step reruns, explain names the fragment, the cache misses.
      appendFileSync(join(co.root, "guests", "rootvm", "linux.fragment"), "CONFIG_PRINTK_TIME=y\n");
      const changed = new CollectStream();
      const stop = new AbortController();
      const watch = setInterval(() => {
        if (/keel: explain: .*linux\/Image: input guests\/rootvm\/linux.fragment changed/.test(changed.text))
          stop.abort();
      }, 100);
      t0 = Date.now();
      try {
        await assert.rejects(buildImage({ ...req, status: changed, signal: stop.signal }), /interrupted/);
      } finally {
        clearInterval(watch);
      }
      const rebuildMs = Date.now() - t0;
      assert.match(
        changed.text,
        /keel: explain: qemu-virt-Debug\/recipes\/rootvm\/linux\/Image: input guests\/rootvm\/linux.fragment changed/,
      );
      assert.doesNotMatch(changed.text, /keel: linux rootvm: cache hit/);
      t.diagnostic(
        `first build ${coldMs} ms, after clean ${cachedMs} ms, fragment change stopped after ${rebuildMs} ms`,
      );
    } finally {
      co.dispose();
    }
  },
);
