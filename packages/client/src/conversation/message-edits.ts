import type { MessageId, UserId } from "@hearth/protocol";
import type { MessageContent } from "../payload-codec.ts";

/**
 * How long after sending its author may edit a message: 24 hours, measured between the server's
 * `sentAt` of the message and of the edit (both stamped by the server, so a device's clock does not
 * move the window). Receiving devices enforce it: a later edit is ignored.
 */
export const EDIT_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What the edit rules need to know about an edited message. */
export interface EditTarget {
  senderId: UserId | undefined;
  sentAt: string;
  /** Undefined while it waits for its ack (an edit of it then cannot be checked yet). */
  seq: number | undefined;
  content: MessageContent | undefined;
  deleted: boolean;
}

/** An edit entry: who sent it, when and where in the log (undefined while it is queued here). */
export interface EditEntry {
  messageId: MessageId;
  senderId: UserId | undefined;
  sentAt: string;
  seq: number | undefined;
  text: string;
}

/** Can `target` be edited at all: a readable, undeleted text message (not a file, not an edit)? */
export function isEditable(target: EditTarget): boolean {
  const c = target.content;
  return !target.deleted && c !== undefined && c.kind === undefined && c.attachment === undefined;
}

/**
 * Does `edit` change `target`? Only its author's edits, of an editable message, made within
 * {@link EDIT_WINDOW_MS} of it and after it in the log. An own edit still queued on this device
 * (no seq yet) counts: `ConversationView.edit` checked it before queueing it.
 */
export function editApplies(target: EditTarget, edit: EditEntry, ownQueued = false): boolean {
  if (!isEditable(target)) return false;
  if (edit.seq === undefined) return ownQueued;
  if (target.seq === undefined || edit.seq <= target.seq) return false;
  if (edit.senderId === undefined || edit.senderId !== target.senderId) return false;
  const after = Date.parse(edit.sentAt) - Date.parse(target.sentAt);
  return Number.isFinite(after) && after <= EDIT_WINDOW_MS;
}

/**
 * The edits this device has of one conversation, by the message they change; kept apart from the
 * list (an edit is never shown as a message of its own), whatever order they and their targets
 * arrive in.
 */
export class MessageEdits {
  readonly #byTarget = new Map<string, EditEntry[]>();
  readonly #targetOf = new Map<string, MessageId>();

  /** Is this entry an edit this tracker holds? */
  has(messageId: MessageId | string): boolean {
    return this.#targetOf.has(messageId);
  }

  /** Keeps an edit (again: a queued one gets its seq and the server's time); answers its target. */
  put(target: MessageId, edit: EditEntry): MessageId {
    const list = this.#byTarget.get(target) ?? [];
    const i = list.findIndex((e) => e.messageId === edit.messageId);
    if (i >= 0) list[i] = edit;
    else list.push(edit);
    this.#byTarget.set(target, list);
    this.#targetOf.set(edit.messageId, target);
    return target;
  }

  /** One held edit, by its own id. */
  entry(messageId: MessageId | string): EditEntry | undefined {
    const target = this.#targetOf.get(messageId);
    return target ? this.#byTarget.get(target)?.find((e) => e.messageId === messageId) : undefined;
  }

  /** Drops an edit (it failed to send); answers its target. */
  drop(messageId: MessageId | string): MessageId | undefined {
    const target = this.#targetOf.get(messageId);
    if (!target) return undefined;
    this.#targetOf.delete(messageId);
    const list = this.#byTarget.get(target)?.filter((e) => e.messageId !== messageId) ?? [];
    if (list.length > 0) this.#byTarget.set(target, list);
    else this.#byTarget.delete(target);
    return target;
  }

  /** Forgets every edit of a message (it was deleted for everyone). */
  forgetTarget(target: MessageId | string): void {
    for (const e of this.#byTarget.get(target) ?? []) this.#targetOf.delete(e.messageId);
    this.#byTarget.delete(target);
  }

  /** Every edit this device holds of a message, applying or not. */
  of(target: MessageId | string): readonly EditEntry[] {
    return this.#byTarget.get(target) ?? [];
  }

  /** Any edits of this message (cheap check for the per-message path)? */
  hasEdits(target: MessageId | string): boolean {
    return this.#byTarget.has(target);
  }

  /**
   * The edits that apply to `target`, in log order (queued ones last, in the order queued).
   * `own`: is the target this user's (only then do queued edits count).
   */
  applying(targetId: MessageId | string, target: EditTarget, own: boolean): EditEntry[] {
    const list = this.#byTarget.get(targetId);
    if (!list) return [];
    return list
      .filter((e) => editApplies(target, e, own))
      .sort((a, b) => (a.seq ?? Number.MAX_SAFE_INTEGER) - (b.seq ?? Number.MAX_SAFE_INTEGER));
  }
}
