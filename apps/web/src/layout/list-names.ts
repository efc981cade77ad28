import type { SavedSession } from "../session/saved-session.ts";

/**
 * The words for a person's list of conversations, the same on every screen (navigation, the way
 * back from a conversation, the list pane, its heading): a therapist has a caseload, an admin a
 * practice, a patient conversations.
 */
export interface ListNames {
  /** In the navigation, on the way back, and over the list pane: "Caseload". */
  nav: string;
  /** The screen's heading: "Your caseload". */
  title: string;
  /** The list itself, for screen readers: "Patients". */
  items: string;
  /** The filter field's label: "Find a patient". */
  find: string;
}

/** {@link ListNames} for a role (a patient's when it is not known yet). */
export function listNames(role: SavedSession["role"] | undefined): ListNames {
  if (role === "therapist")
    return { nav: "Caseload", title: "Your caseload", items: "Patients", find: "Find a patient" };
  if (role === "admin")
    return { nav: "Practice", title: "Your practice", items: "Conversations", find: "Find a conversation" };
  return {
    nav: "Conversations",
    title: "Conversations",
    items: "Your conversations",
    find: "Find a conversation",
  };
}
