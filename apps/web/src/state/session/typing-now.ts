/** A typing event from another member, as the SDK emits it (it expires them itself). */
export interface TypingSeen {
  conversationId: string;
  userId: string;
  active: boolean;
}

/** Who is typing in each conversation now (never me). */
export class TypingNow {
  /** conversation → users typing now. */
  readonly #typing = new Map<string, Set<string>>();

  /** Someone started or stopped typing. */
  seen(t: TypingSeen): void {
    const set = this.#typing.get(t.conversationId) ?? new Set<string>();
    if (t.active) set.add(t.userId);
    else set.delete(t.userId);
    this.#typing.set(t.conversationId, set);
  }

  /** A message ends that person's typing. */
  ended(conversationId: string, userId: string): void {
    this.#typing.get(conversationId)?.delete(userId);
  }

  /** The users typing in a conversation. */
  in(conversationId: string): string[] {
    return [...(this.#typing.get(conversationId) ?? [])];
  }
}
