import type { SearchDoc } from "../../apps/web/src/search/search-index.ts";

let n = 0;

/** A searchable message with a fresh id, seq and time (one second later than the last), as in one conversation. */
export function searchDoc(text: string, over: Partial<SearchDoc> = {}): SearchDoc {
  n++;
  return {
    conversationId: "cnv_1",
    messageId: `msg_${n}`,
    seq: n,
    sentAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
    senderId: "usr_a",
    text,
    ...over,
  };
}
