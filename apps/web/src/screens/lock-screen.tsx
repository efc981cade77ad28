import "./lock-screen.css";
import { useState } from "react";
import { ActionForm, Field } from "../components/form.tsx";
import { Page } from "../components/page.tsx";
import { SignOutButton } from "../components/sign-out-button.tsx";
import { checkPin, hasPin } from "../session/lock-pin.ts";
import type { HearthSession } from "../state/hearth-session.ts";

/** The password form: checked by the server, counted towards the sign-in lockout. */
function PasswordUnlock({ session, notice }: { session: HearthSession; notice?: string }) {
  const unlock = async (data: FormData) => {
    try {
      await session.unlock(String(data.get("unlock-password") ?? ""));
    } catch (err) {
      // The same lockout as signing in: after a few wrong tries, a pause.
      const code = (err as { code?: unknown } | null)?.code;
      if (code === "login_failed") return "That password isn't right. Try again.";
      if (code === "locked_out") {
        return "Too many wrong passwords, so Hearth is pausing sign-in for a while to keep your account safe. Try again later, or sign out below.";
      }
      throw err;
    }
    return undefined;
  };
  return (
    <>
      {notice ? <p className="notice">{notice}</p> : null}
      <ActionForm label="Unlock Hearth" submitLabel="Unlock" busyLabel="Checking…" action={unlock}>
        <Field
          id="unlock-password"
          label="Your password"
          type="password"
          autoComplete="current-password"
          required
          minLength={10}
        />
      </ActionForm>
    </>
  );
}

/** The PIN form: checked on this device; after a few wrong PINs, only the password. */
function PinUnlock({ session, onFallBack }: { session: HearthSession; onFallBack: (why?: string) => void }) {
  const unlock = async (data: FormData) => {
    const r = await checkPin(String(data.get("unlock-pin") ?? ""));
    if (r.result === "ok") {
      session.lock.unlocked();
      return undefined;
    }
    if (r.result === "none") {
      onFallBack("Too many wrong PINs, so the PIN is switched off. Enter your password instead.");
      return undefined;
    }
    return r.triesLeft === 1
      ? "That PIN isn't right. One more try, then only your password will work."
      : `That PIN isn't right. ${r.triesLeft} tries left.`;
  };
  return (
    <>
      <ActionForm
        label="Unlock Hearth with your PIN"
        submitLabel="Unlock"
        busyLabel="Checking…"
        action={unlock}
      >
        <Field
          id="unlock-pin"
          label="Your PIN"
          type="password"
          inputMode="numeric"
          autoComplete="off"
          required
          minLength={4}
          maxLength={8}
          pattern="[0-9]*"
        />
      </ActionForm>
      <p className="lock-screen__other">
        <button type="button" className="button button--quiet" onClick={() => onFallBack()}>
          Use my password instead
        </button>
      </p>
    </>
  );
}

/**
 * Shown instead of every signed-in screen while Hearth is locked (see session/app-lock.ts): after
 * a while without use, after quick exit, or on request. No name, no conversation, nothing of the
 * person's messages. The PIN (if the person set one) or the password lifts it; signing out is
 * always possible; help and quick exit stay in the header.
 */
export function LockScreen({ session }: { session: HearthSession }) {
  const [usePin, setUsePin] = useState(hasPin);
  const [notice, setNotice] = useState<string | undefined>();
  return (
    <Page title="Hearth is locked" documentTitle="Locked">
      <p className="lead">
        Hearth is locked, so nobody else can read your conversations here. Enter your{" "}
        {usePin ? "PIN" : "password"} to go on.
      </p>
      <section className="card" aria-label="Unlock">
        {usePin ? (
          <PinUnlock
            session={session}
            onFallBack={(why) => {
              setNotice(why);
              setUsePin(false);
            }}
          />
        ) : (
          <PasswordUnlock session={session} notice={notice} />
        )}
      </section>
      <section className="card" aria-labelledby="lock-sign-out-title">
        <h2 id="lock-sign-out-title">Not you, or forgot the password?</h2>
        <p>Signing out removes your messages from this device. They stay safe on the server.</p>
        <SignOutButton />
      </section>
    </Page>
  );
}
