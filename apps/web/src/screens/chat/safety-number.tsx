import "./safety-number.css";
import type { UserId } from "@hearth/protocol";
import { useState } from "react";
import { Name } from "../../components/names.tsx";
import type { HearthSession } from "../../state/hearth-session.ts";

/**
 * The safety number with the other person of a 1:1 (end-to-end encryption): compare it in person or
 * on a call; if it matches, nobody is in between.
 */
export function SafetyNumber({
  session,
  userId,
  name,
}: {
  session: HearthSession;
  userId: string;
  name: string;
}) {
  const [digits, setDigits] = useState<string | undefined>();
  const [problem, setProblem] = useState("");
  const load = async () => {
    if (digits) return;
    try {
      setDigits((await session.client.crypto.safetyNumber(userId as UserId)).digits);
    } catch {
      setProblem("The safety number isn't available yet. Try again once you're both connected.");
    }
  };
  return (
    <details className="safety" onToggle={(e) => e.currentTarget.open && void load()}>
      <summary title="Check encryption">
        <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <rect
            x="5"
            y="10.5"
            width="14"
            height="10"
            rx="2"
            fill="none"
            stroke="currentColor"
            strokeWidth="2"
          />
          <path d="M8.5 10.5V8a3.5 3.5 0 0 1 7 0v2.5" fill="none" stroke="currentColor" strokeWidth="2" />
        </svg>
        <span className="safety__label">
          Check encryption
          <span className="safety__with">
            {" "}
            with <Name>{name}</Name>
          </span>
        </span>
      </summary>
      <div className="safety__panel">
        <p className="quiet">
          Compare this number with <Name>{name}</Name> in a session or on a call. If both of you see the same
          number, your messages can only be read by the two of you.
        </p>
        {digits ? (
          <p className="safety__digits" data-testid="safety-number">
            {digits}
          </p>
        ) : (
          <p className="quiet">{problem || "Loading…"}</p>
        )}
      </div>
    </details>
  );
}
