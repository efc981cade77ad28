import type { SessionResponse } from "@hearth/protocol";
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useState,
  useSyncExternalStore,
} from "react";
import { forgetPushNow } from "../push/push-subscription.ts";
import { loadSdk } from "../sdk/load-sdk.ts";
import type { HearthSession } from "../state/hearth-session.ts";
import { clearSession, loadSession, saveSession } from "./saved-session.ts";

/** What screens get from {@link useSession}. */
export interface SessionContextValue {
  /** The signed-in device, or undefined. */
  session: HearthSession | undefined;
  /** True while a remembered sign-in is being restored (the SDK chunk is loading). */
  restoring: boolean;
  /** Starts a session from setup, sign-in or an accepted invite. */
  signIn(response: SessionResponse): Promise<HearthSession>;
  /** Signs this device out: ends the server session (if it can) and erases local data. */
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

/** Holds the signed-in device for the whole app (one `HearthSession` at a time). */
export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<HearthSession | undefined>();
  const [restoring, setRestoring] = useState(() => loadSession() !== undefined);

  // A remembered sign-in: load the SDK and resume. Otherwise fetch the SDK once the shell is up.
  useEffect(() => {
    let live = true;
    const saved = loadSession();
    loadSdk()
      .then(({ HearthSession }) => {
        if (live && saved) setSession((cur) => cur ?? new HearthSession(saved));
      })
      .catch(() => undefined)
      .finally(() => live && setRestoring(false));
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (!session) return;
    session.start();
    return () => session.stop();
  }, [session]);

  const signIn = useCallback(async (response: SessionResponse) => {
    const { HearthSession } = await loadSdk();
    const next = new HearthSession(saveSession(response));
    setSession(next);
    return next;
  }, []);

  const signOut = useCallback(async () => {
    if (!session) return;
    if (session.signedOutInAnotherTab) {
      // The other tab ended the server session and erased this device's data (or signed someone
      // else in, whose data must stay): only let go here.
      session.stop();
      setSession(undefined);
      return;
    }
    // This device's push subscription goes too (the server drops its copy with the session).
    forgetPushNow(undefined);
    try {
      await session.api.logout();
    } catch {
      // Already signed out on the server (or offline): the local data goes anyway.
    }
    session.stop();
    clearSession();
    const { EncryptedIndexStore, IdbClientStore, IdbKeyStore } = await loadSdk();
    await IdbClientStore.destroy(session.userId);
    await IdbKeyStore.destroy(session.userId);
    await EncryptedIndexStore.destroy(session.userId);
    setSession(undefined);
  }, [session]);

  return (
    <SessionContext.Provider value={{ session, restoring, signIn, signOut }}>
      {children}
    </SessionContext.Provider>
  );
}

/** The session context. */
export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession outside SessionProvider");
  return value;
}

/** Re-renders when anything the session shows changes; returns the session. */
export function useLiveSession(session: HearthSession): HearthSession {
  useSyncExternalStore(session.subscribe, session.getVersion);
  return session;
}
