#!/usr/bin/env python3
"""Second reference: runs Debian's python3-kconfiglib on every fixture and reports where its .config differs
from the expected output (which comes from Linux's C conf). Usage: kconfiglib-compare.py"""
import os, re, sys, tempfile, shutil, difflib
import kconfiglib

FIX = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "kconfig")
for case in sorted(os.listdir(FIX)):
    d = os.path.join(FIX, case)
    cmdf = os.path.join(d, "command")
    if not os.path.exists(cmdf):
        continue
    cmd = open(cmdf).read().strip()
    env = {}
    if os.path.exists(os.path.join(d, "env")):
        for line in open(os.path.join(d, "env")):
            k, _, v = line.strip().partition("=")
            env[k] = v
    os.environ.update(env)
    cwd = os.getcwd()
    tmp = tempfile.mkdtemp()
    try:
        # Kconfiglib 14.1 predates Linux 5.13's `modules` keyword; it still spells it `option modules`.
        src = os.path.join(tmp, "tree")
        shutil.copytree(d, src)
        for root, _, files in os.walk(src):
            for f in files:
                p = os.path.join(root, f)
                text = open(p).read()
                open(p, "w").write(re.sub(r"(?m)^(\s*)modules\s*$", r"\1option modules", text))
        os.chdir(src)
        os.environ["srctree"] = src
        kconf = kconfiglib.Kconfig("Kconfig", warn=False)
        if cmd in ("olddefconfig", "savedefconfig"):
            kconf.load_config("config.in")
        elif cmd == "defconfig":
            kconf.load_config("defconfig.in")
        elif cmd == "allnoconfig":
            kconf.warn = False
            for s in kconf.unique_defined_syms:
                s.set_value(1 if s.is_allnoconfig_y else 0)
            for c in kconf.unique_choices:
                c.set_value(0)
        elif cmd in ("allyesconfig", "allmodconfig"):
            v = 2 if cmd == "allyesconfig" else 1
            for s in kconf.unique_defined_syms:
                s.set_value(v if s.orig_type is kconfiglib.TRISTATE else 2)
            for c in kconf.unique_choices:
                c.set_value(v if c.orig_type is kconfiglib.TRISTATE else 2)
        os.chdir(tmp)
        header = "#\n# Automatically generated file; DO NOT EDIT.\n# %s\n#\n" % kconf.mainmenu_text
        if cmd == "savedefconfig":
            kconf.write_min_config("out", header="")
            exp = open(os.path.join(d, "expected.defconfig")).read()
        else:
            kconf.write_config("out", header=header)
            exp = open(os.path.join(d, "expected.config")).read()
        got = open("out").read()
        if got == exp:
            print("%-14s %-14s same as conf" % (case, cmd))
        else:
            print("%-14s %-14s DIFFERS from conf:" % (case, cmd))
            sys.stdout.writelines(difflib.unified_diff(exp.splitlines(True), got.splitlines(True), "conf", "kconfiglib", n=0))
    finally:
        os.chdir(cwd)
        shutil.rmtree(tmp)
