import { type FormEvent, useState } from "react";
import { Name } from "../../components/names.tsx";
import { navigate } from "../../router/router.ts";
import type { HearthSession } from "../../state/hearth-session.ts";

/**
 * A therapist starts a group with some of their patients. Everyone in a group sees the others'
 * names and messages, so the form says so before anything is created.
 */
export function GroupCreator({ session }: { session: HearthSession }) {
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [problem, setProblem] = useState("");
  const [busy, setBusy] = useState(false);
  const patients = new Map<string, string>();
  for (const c of session.conversations) {
    if (c.kind !== "direct") continue;
    for (const m of c.members) if (m.role === "patient") patients.set(m.userId, m.displayName);
  }
  if (patients.size < 2) return null;
  const toggle = (userId: string, on: boolean) => {
    const next = new Set(chosen);
    if (on) next.add(userId);
    else next.delete(userId);
    setChosen(next);
    setProblem("");
  };
  const create = async (e: FormEvent) => {
    e.preventDefault();
    // A second click while the first is on its way must not make a second, identical group.
    if (busy) return;
    if (chosen.size < 2) {
      setProblem("Choose at least two people for a group.");
      return;
    }
    setBusy(true);
    setProblem("");
    try {
      const group = await session.createGroup([...chosen]);
      navigate(`/conversations/${group.conversationId}`);
    } catch {
      setProblem("The group couldn't be created. Please try again.");
      setBusy(false);
    }
  };
  return (
    <details className="card group-creator">
      <summary>Start a group</summary>
      <form onSubmit={create} aria-label="Start a group">
        <fieldset className="group-creator__people">
          <legend>Who is in the group</legend>
          <p className="field__hint">
            Everyone in a group sees the others' names and messages. Patients can't add anyone.
          </p>
          {[...patients].map(([userId, name]) => (
            <label key={userId} className="check">
              <input
                type="checkbox"
                checked={chosen.has(userId)}
                onChange={(e) => toggle(userId, e.currentTarget.checked)}
              />
              <Name>{name}</Name>
            </label>
          ))}
        </fieldset>
        {problem ? (
          <p className="form__status" role="status">
            {problem}
          </p>
        ) : null}
        <div className="form__actions">
          <button type="submit" className="button button--primary" aria-disabled={busy}>
            {busy ? "Creating…" : "Create group"}
          </button>
        </div>
      </form>
    </details>
  );
}
