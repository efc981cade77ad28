/**
 * The names a notification may show on this device, kept only while the person chose "Show who
 * wrote": a push carries the sender's user id, never a name, and the service worker (sw/push.js)
 * looks the name up here. Same cache and address as the worker reads; removed when the choice is
 * turned off, on sign-out and on quick exit (the worker deletes it on `push-forget`).
 */
const CACHE = "hearth-push-names";
const URL_PATH = "/__hearth/push-names.json";

/** Keeps `names` (user id → the name this device shows for them) for the service worker. */
export async function keepPushNames(names: Record<string, string>): Promise<void> {
  if (typeof caches === "undefined") return;
  const cache = await caches.open(CACHE);
  await cache.put(
    URL_PATH,
    new Response(JSON.stringify(names), { headers: { "content-type": "application/json" } }),
  );
}

/** Forgets the names. Never throws. */
export async function forgetPushNames(): Promise<void> {
  try {
    if (typeof caches !== "undefined") await caches.delete(CACHE);
  } catch {
    // Nothing kept, or no way to reach it.
  }
}

/** The names of everyone in the person's conversations, as this device shows them. */
export function contactNames(session: {
  userId: string;
  conversations: readonly { conversationId: string; members: readonly { userId: string }[] }[];
  nameOf(conversationId: string, userId: string): string;
}): Record<string, string> {
  const names: Record<string, string> = {};
  for (const c of session.conversations) {
    for (const m of c.members) {
      if (m.userId !== session.userId && !(m.userId in names))
        names[m.userId] = session.nameOf(c.conversationId, m.userId);
    }
  }
  return names;
}
