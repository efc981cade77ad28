import { useState } from "react";
import { QUICK_EXIT_URL } from "../../quick-exit/quick-exit.ts";
import { locksOnQuickExit, setLocksOnQuickExit } from "../../session/app-lock.ts";
import type { HearthSession } from "../../state/hearth-session.ts";
import { Toggle } from "./toggle.tsx";

/** Privacy: what others see of me, what I see of them, and leaving quickly. */
export function PrivacySection({ session }: { session: HearthSession }) {
  const p = session.privacy;
  const [exitLocks, setExitLocks] = useState(locksOnQuickExit);
  const exitHost = new URL(QUICK_EXIT_URL).hostname;
  return (
    <>
      <section className="card" aria-labelledby="privacy-title">
        <h2 id="privacy-title">Receipts and typing</h2>
        <Toggle
          label="Send read receipts"
          hint="Others see when you have read their messages. Off: they see only that it was delivered."
          checked={p.sendReadReceipts}
          onChange={(v) => session.setPrivacy({ ...p, sendReadReceipts: v })}
        />
        <Toggle
          label="Show when I'm typing"
          hint="Others see “typing…” while you write."
          checked={p.sendTyping}
          onChange={(v) => session.setPrivacy({ ...p, sendTyping: v })}
        />
        <Toggle
          label="Show when others have read"
          hint="“Read” on your messages. Off: you see only that they were delivered."
          checked={session.display.showReadReceipts}
          onChange={(v) => session.setDisplay({ ...session.display, showReadReceipts: v })}
        />
        <Toggle
          label="Show when others are typing"
          hint="“… is typing” under the conversation."
          checked={session.display.showTyping}
          onChange={(v) => session.setDisplay({ ...session.display, showTyping: v })}
        />
        <p className="quiet">These choices apply to this device.</p>
      </section>
      <section className="card" aria-labelledby="exit-title">
        <h2 id="exit-title">Leaving quickly</h2>
        <p>
          Quick exit, or pressing <kbd>Esc</kbd> twice, opens a weather page ({exitHost}) in place of Hearth.
          The browser's Back button won't bring Hearth back.
        </p>
        <Toggle
          label="Ask for my password or PIN after quick exit"
          hint="Opening Hearth again then asks for your password, or your PIN if you set one (Settings › Security). Recommended if someone else could pick up this device."
          checked={exitLocks}
          onChange={(v) => {
            setLocksOnQuickExit(v);
            setExitLocks(v);
          }}
        />
      </section>
    </>
  );
}
