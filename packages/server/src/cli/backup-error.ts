/**
 * Why a backup command stopped, as data: `usage` (a wrong argument), `not_backup`, `wrong_secret`,
 * `damaged`, `truncated`, `refused` (the target is not empty), `unsupported`, `failed` (anything else).
 * The message is for the operator, in words.
 */
export type BackupErrorKind =
  | "usage"
  | "not_backup"
  | "wrong_secret"
  | "damaged"
  | "truncated"
  | "refused"
  | "unsupported"
  | "failed";

/** A backup, verify or restore that could not go on; the CLI prints the message and exits non-zero. */
export class BackupError extends Error {
  readonly kind: BackupErrorKind;
  constructor(kind: BackupErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = "BackupError";
  }
}
