import type { HearthSession } from "../../state/hearth-session.ts";
import { ChangePassword } from "./change-password.tsx";
import { LockCard } from "./lock-card.tsx";
import { RecoveryKeyCard } from "./recovery-key-card.tsx";

/** Security: the password, the screen lock and PIN, and the recovery key. */
export function SecuritySection({ session }: { session: HearthSession }) {
  return (
    <>
      <ChangePassword session={session} />
      <LockCard session={session} />
      <RecoveryKeyCard session={session} />
    </>
  );
}
