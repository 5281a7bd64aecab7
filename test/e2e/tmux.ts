// Driving a full-screen program (menuconfig) through a real pseudo-terminal: a detached tmux session on a
// server of its own, 100x30, whose screen the test reads and into which it types.
import { execFileSync } from "node:child_process";

export function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

export interface TmuxPane {
  /** tmux send-keys: key names (`Down`, `Enter`, `Escape`, ...) or literal characters. */
  keys(...k: string[]): void;
  /** The screen, once it matches `re` (polled every 100 ms; an error with the screen after the timeout). */
  waitFor(re: RegExp): Promise<string>;
}

/** Runs the shell command `cmd` in tmux server `server`, hands the pane to `drive`, then kills the server. */
export async function inTmux(
  server: string,
  cmd: string,
  waitMs: number,
  drive: (pane: TmuxPane) => Promise<void>,
): Promise<void> {
  const tmux = (...args: string[]): string =>
    execFileSync("tmux", ["-L", server, ...args], { encoding: "utf8", env: { ...process.env, TMUX: "" } });
  const pane: TmuxPane = {
    keys: (...k) => void tmux("send-keys", "-t", "kc", ...k),
    waitFor: async (re) => {
      const end = Date.now() + waitMs;
      for (;;) {
        const s = tmux("capture-pane", "-p", "-t", "kc");
        if (re.test(s)) return s;
        if (Date.now() > end) throw new Error(`timed out waiting for ${re}; screen:\n${s}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
  tmux("new-session", "-d", "-s", "kc", "-x", "100", "-y", "30", cmd);
  try {
    await drive(pane);
  } finally {
    try {
      tmux("kill-server");
    } catch {
      // already gone
    }
  }
}
