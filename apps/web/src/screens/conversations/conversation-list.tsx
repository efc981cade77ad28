import type { ConversationSummary } from "@hearth/protocol";
import { useId, useState } from "react";
import type { ListNames } from "../../layout/list-names.ts";
import type { HearthSession } from "../../state/hearth-session.ts";
import { ConversationRow } from "./conversation-row.tsx";

/** How the list is ordered. */
export type ListOrder = "recent" | "name" | "unread";

const ORDER_LABELS: Record<ListOrder, string> = {
  recent: "Recent activity",
  name: "Name",
  unread: "Unread first",
};

/** The names a conversation is found and sorted by: the other members', then any private label. */
function searchText(session: HearthSession, c: ConversationSummary): { names: string; all: string } {
  const others = c.members.filter((m) => m.userId !== session.userId);
  const names = others.map((m) => m.displayName).join(", ");
  const labels = others.map((m) => session.labels.get(m.userId) ?? "").join(" ");
  return { names, all: `${names} ${labels}`.toLocaleLowerCase() };
}

/** The conversations to show, filtered by `query` (names and private labels) and ordered. */
export function arrange(
  session: HearthSession,
  list: readonly ConversationSummary[],
  query: string,
  order: ListOrder,
): ConversationSummary[] {
  const q = query.trim().toLocaleLowerCase();
  const rows = list.map((c) => ({ c, ...searchText(session, c) })).filter((r) => !q || r.all.includes(q));
  const recent = (a: ConversationSummary, b: ConversationSummary) =>
    b.lastActivityAt.localeCompare(a.lastActivityAt);
  rows.sort((a, b) => {
    if (order === "name") return a.names.localeCompare(b.names) || recent(a.c, b.c);
    if (order === "unread") return Number(b.c.unread > 0) - Number(a.c.unread > 0) || recent(a.c, b.c);
    return recent(a.c, b.c);
  });
  return rows.map((r) => r.c);
}

/**
 * The list of conversations (for a therapist, the caseload) with a filter and an order, on its own
 * screen on a phone and in the list pane beside the open conversation on a wide screen.
 */
export function ConversationList({
  session,
  names,
  activeId,
}: {
  session: HearthSession;
  names: ListNames;
  /** The conversation open beside the list, if any. */
  activeId?: string;
}) {
  const id = useId();
  const [query, setQuery] = useState("");
  const [order, setOrder] = useState<ListOrder>("recent");
  const caseload = session.saved.role === "therapist";
  const all = session.conversations;
  if (!session.conversationsLoaded) return <p className="quiet">Loading your conversations…</p>;
  if (all.length === 0) {
    return (
      <p className="notice">
        {caseload
          ? "No patients yet. Make an invite link; each patient gets a private conversation with you."
          : "No conversations yet."}
      </p>
    );
  }
  const shown = arrange(session, all, query, order);
  return (
    <div className="conversation-list-wrap">
      <div className="conversation-tools">
        <div className="field conversation-tools__find">
          <label htmlFor={`${id}-find`}>{names.find}</label>
          <input
            id={`${id}-find`}
            type="search"
            value={query}
            autoComplete="off"
            onChange={(e) => setQuery(e.currentTarget.value)}
          />
        </div>
        <div className="field conversation-tools__order">
          <label htmlFor={`${id}-order`}>Order</label>
          <select
            id={`${id}-order`}
            value={order}
            onChange={(e) => setOrder(e.currentTarget.value as ListOrder)}
          >
            {(Object.keys(ORDER_LABELS) as ListOrder[]).map((o) => (
              <option key={o} value={o}>
                {ORDER_LABELS[o]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {/* Says how many match, for screen readers, as the filter changes. */}
      <p className="visually-hidden" role="status">
        {query.trim() ? `${shown.length} of ${all.length} shown.` : ""}
      </p>
      {shown.length === 0 ? (
        <p className="quiet">Nothing matches “{query.trim()}”.</p>
      ) : (
        <ul className="conversation-list" aria-label={names.items}>
          {shown.map((c) => (
            <ConversationRow
              key={c.conversationId}
              session={session}
              c={c}
              caseload={caseload}
              active={c.conversationId === activeId}
            />
          ))}
        </ul>
      )}
    </div>
  );
}
