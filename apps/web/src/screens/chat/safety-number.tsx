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
      <summary>
        Check encryption with <Name>{name}</Name>
      </summary>
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
    </details>
  );
}
