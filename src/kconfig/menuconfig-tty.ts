// menuconfig's terminal driver: raw mode, the alternate screen, ANSI painting of MenuConfig.render(), and
// key decoding (arrows, page keys, Home/End in both CSI and SS3 forms). No dependency beyond node:tty.

import type { Kconfig } from "./kconfig.ts";
import { MenuConfig, type Key, type MenuIo } from "./menuconfig.ts";
import { UserError } from "../util/errors.ts";

const SEQUENCES: Record<string, Key> = {
  "\x1b[A": "up",
  "\x1b[B": "down",
  "\x1b[C": "right",
  "\x1b[D": "left",
  "\x1bOA": "up",
  "\x1bOB": "down",
  "\x1bOC": "right",
  "\x1bOD": "left",
  "\x1b[5~": "pgup",
  "\x1b[6~": "pgdn",
  "\x1b[H": "home",
  "\x1b[F": "end",
  "\x1bOH": "home",
  "\x1bOF": "end",
  "\x1b[1~": "home",
  "\x1b[4~": "end",
  "\x1b[7~": "home",
  "\x1b[8~": "end",
};

/** Splits terminal input into keys. A lone ESC (not followed by `[` or `O`) is the Escape key. */
export function decodeKeys(data: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < data.length) {
    const c = data[i]!;
    if (c === "\x1b") {
      let matched = false;
      for (const [seq, key] of Object.entries(SEQUENCES)) {
        if (data.startsWith(seq, i)) {
          keys.push(key);
          i += seq.length;
          matched = true;
          break;
        }
      }
      if (matched) continue;
      // An unknown CSI sequence: skip it whole.
      if (data[i + 1] === "[") {
        let j = i + 2;
        while (j < data.length && /[0-9;]/.test(data[j]!)) j++;
        if (j < data.length && /[~A-Za-z]/.test(data[j]!)) {
          i = j + 1;
          continue;
        }
      }
      keys.push("esc");
      i++;
      continue;
    }
    if (c === "\r" || c === "\n") keys.push("enter");
    else if (c === "\x7f" || c === "\b") keys.push("backspace");
    else if (c === "\x03") keys.push("ctrl-c");
    else if (c >= " ") keys.push(c);
    i++;
  }
  return keys;
}

export type TtyOptions = MenuIo;

/** Runs menuconfig on this terminal until the user quits; resolves to whether the configuration was saved. */
export function runMenuconfig(kc: Kconfig, io: TtyOptions): Promise<boolean> {
  const stdin = process.stdin;
  const stdout = process.stdout;
  if (!stdin.isTTY || !stdout.isTTY) throw new UserError("menuconfig needs a terminal (stdin and stdout)");
  const ui = new MenuConfig(kc, io);
  const paint = (): void => {
    const { lines, highlight } = ui.render(stdout.columns || 80, stdout.rows || 24);
    let out = "\x1b[H";
    lines.forEach((l, i) => {
      out += i === highlight ? `\x1b[7m${l}\x1b[0m` : l;
      out += i < lines.length - 1 ? "\x1b[K\r\n" : "\x1b[K";
    });
    stdout.write(out + "\x1b[J");
  };
  return new Promise((resolvePromise, reject) => {
    const finish = (): void => {
      stdin.off("data", onData);
      stdout.off("resize", paint);
      stdin.setRawMode(false);
      stdin.pause();
      stdout.write("\x1b[?25h\x1b[?1049l");
    };
    const onData = (buf: Buffer): void => {
      try {
        for (const k of decodeKeys(buf.toString("utf8"))) {
          ui.key(k);
          if (ui.outcome !== "running") break;
        }
        if (ui.outcome !== "running") {
          finish();
          const saved = ui.outcome === "saved";
          stdout.write(
            saved
              ? `\n*** End of the configuration (${io.configName}).\n\n`
              : "\nYour configuration changes were NOT saved.\n\n",
          );
          resolvePromise(saved);
          return;
        }
        paint();
      } catch (e) {
        finish();
        reject(e as Error);
      }
    };
    stdout.write("\x1b[?1049h\x1b[?25l\x1b[2J");
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on("data", onData);
    stdout.on("resize", paint);
    paint();
  });
}
