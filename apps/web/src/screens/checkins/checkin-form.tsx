import {
  type CheckinPlanContent,
  type Instrument,
  instrumentOf,
  MAX_NOTE_LENGTH,
  scoreAnswers,
} from "@hearth/client";
import { lastCheckinAt } from "@hearth/protocol";
import { type FormEvent, useId, useState } from "react";
import { CrisisHelp } from "../../components/crisis-help.tsx";
import { sendCheckin } from "../../state/checkins.ts";
import type { HearthSession } from "../../state/hearth-session.ts";

/** One item's answer options, as a radio group with big tap targets. */
function ItemQuestion({
  instrument,
  index,
  value,
  onChange,
}: {
  instrument: Instrument;
  index: number;
  value: number | undefined;
  onChange: (v: number) => void;
}) {
  const item = instrument.items[index];
  const name = useId();
  if (!item) return null;
  return (
    <fieldset className="checkin-item">
      <legend>
        {instrument.items.length > 1 ? <span className="checkin-item__n">{index + 1}. </span> : null}
        {item.text}
      </legend>
      <div className={`checkin-options checkin-options--${instrument.options.length > 5 ? "many" : "few"}`}>
        {instrument.options.map((o) => (
          <label key={o.value} className="checkin-option">
            <input
              type="radio"
              name={name}
              value={o.value}
              checked={value === o.value}
              onChange={() => onChange(o.value)}
            />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/**
 * Answers one check-in. A mood check-in is two taps (a mood, then Send); the questionnaires are one
 * tap per item. A PHQ-9 whose item 9 is answered above zero shows crisis help at once, on this
 * device, before and whether or not the answer reaches anyone (offline too: the directory ships
 * with the app). It does not say anything about risk: it offers help.
 */
export function CheckinForm({
  session,
  conversationId,
  plan,
  onDone,
}: {
  session: HearthSession;
  conversationId: string;
  plan: CheckinPlanContent;
  onDone: () => void;
}) {
  const instrument = instrumentOf(plan.instrument, plan.custom);
  const [answers, setAnswers] = useState<(number | undefined)[]>(() => instrument.items.map(() => undefined));
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState("");
  const [sent, setSent] = useState<"no" | "yes" | "help">("no");
  const noteId = useId();
  const complete = answers.every((a) => a !== undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!complete) {
      setProblem("Please answer every question, then send.");
      return;
    }
    const values = answers as number[];
    const score = scoreAnswers(instrument, values);
    // Help first: shown before anything is sent, so a lost connection never delays it.
    setSent(score.item9AboveZero ? "help" : "yes");
    setProblem("");
    const now = Date.now();
    const due = lastCheckinAt(plan.schedule, now);
    try {
      await sendCheckin(session, conversationId, {
        planId: plan.planId,
        instrument: plan.instrument,
        ...(plan.custom ? { custom: plan.custom } : {}),
        answers: values,
        ...(plan.instrument === "mood" && note.trim() ? { note: note.trim() } : {}),
        answeredAt: new Date(now).toISOString(),
        ...(due === undefined ? {} : { dueAt: new Date(due).toISOString() }),
      });
    } catch {
      setProblem("Your answers couldn't be saved on this device. Please try again.");
      setSent("no");
    }
  };

  if (sent !== "no") {
    return (
      <section className="checkin-done" aria-labelledby={`${noteId}-done`}>
        <h2 id={`${noteId}-done`}>Thank you for checking in</h2>
        <p className="quiet">Your answers are on their way to your therapist, end-to-end encrypted.</p>
        {sent === "help" ? (
          <div className="checkin-help" data-testid="checkin-crisis-help">
            <p>
              You said you've had thoughts of being better off dead or of hurting yourself. You don't have to
              wait for your next session: these lines can help right now.
            </p>
            <CrisisHelp />
          </div>
        ) : null}
        <button type="button" className="button" onClick={onDone}>
          Done
        </button>
      </section>
    );
  }

  return (
    <form className="checkin-form form" onSubmit={(e) => void submit(e)} aria-label={instrument.title}>
      {instrument.prompt ? <p className="checkin-form__prompt">{instrument.prompt}</p> : null}
      {instrument.items.map((item, i) => (
        <ItemQuestion
          key={item.id}
          instrument={instrument}
          index={i}
          value={answers[i]}
          onChange={(v) => setAnswers((a) => a.map((x, j) => (j === i ? v : x)))}
        />
      ))}
      {plan.instrument === "mood" ? (
        <div className="field">
          <label htmlFor={noteId}>A note (optional)</label>
          <textarea
            id={noteId}
            rows={2}
            maxLength={MAX_NOTE_LENGTH}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
        </div>
      ) : null}
      {problem ? (
        <p className="form-error" role="alert">
          {problem}
        </p>
      ) : null}
      <button type="submit" className="button button--primary">
        Send check-in
      </button>
    </form>
  );
}
