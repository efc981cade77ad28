/** Short, calm wording for the admin screens. */

/** "5 Dec 2026, 14:03" in the reader's locale. */
export function when(iso: string | null): string {
  if (!iso) return "Never";
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** What an audit action means, in words. */
const ACTIONS: Record<string, string> = {
  setup: "Set up the practice",
  "auth.login": "Signed in",
  "auth.login_failed": "Failed sign-in",
  "auth.locked": "Sign-in locked after failures",
  "auth.login_refused": "Sign-in refused (locked)",
  "auth.login_deactivated": "Sign-in refused (deactivated)",
  "auth.logout": "Signed out",
  "auth.unlock": "Unlocked the screen",
  "auth.unlock_failed": "Failed screen unlock",
  "auth.unlock_refused": "Screen unlock refused",
  "device.revoke": "Signed a device out",
  "device.rename": "Renamed a device",
  "invite.create": "Created an invite",
  "invite.accept": "Joined by invite",
  "invite.revoke": "Withdrew an invite",
  "conversation.create": "Opened a conversation",
  "member.add": "Joined a conversation",
  "history.read": "Read message history (encrypted)",
  "blob.upload": "Uploaded an attachment (encrypted)",
  "blob.read": "Downloaded an attachment (encrypted)",
  "audit.read": "Read the audit log",
  "accounts.read": "Read the account list",
  "account.deactivate": "Deactivated an account",
  "account.reactivate": "Reactivated an account",
  "link.create": "Issued a sign-in link",
  "link.revoke": "Withdrew a sign-in link",
  "link.redeem": "Set a new password with a sign-in link",
  "keys.identity": "Set up encryption keys",
};

/** The audit actions the filter offers. */
export const AUDIT_ACTIONS = Object.keys(ACTIONS);

export function actionLabel(action: string): string {
  return ACTIONS[action] ?? action;
}

/** "1,234" in the reader's locale. */
export const count = (n: number) => n.toLocaleString();
