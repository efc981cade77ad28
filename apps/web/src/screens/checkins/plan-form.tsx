import {
  type CustomScale,
  INSTRUMENT_KINDS,
  type InstrumentKind,
  instrumentOf,
  parseCustomScale,
} from "@hearth/client";
import { isTimeZone } from "@hearth/protocol";
import { type FormEvent, useId, useState } from "react";
import { describeError } from "../../components/form.tsx";
import timeZones from "../../data/time-zones.json" with { type: "json" };
import { assignPlan } from "../../state/checkins.ts";
import type { HearthSession } from "../../state/hearth-session.ts";

const ZONES = Object.keys((timeZones as { zones: Record<string, string> }).zones).sort();
const LABELS: Record<InstrumentKind, string> = {
  mood: "Mood (1–5, with an optional note)",
  phq9: "PHQ-9 (depression)",
  gad7: "GAD-7 (anxiety)",
  custom: "A short scale of your own",
};

/**
 * A therapist assigns a check-in plan to the patient: what to ask, and when in the patient's time
 * zone (every day at a local time that stays put across daylight-saving changes).
 */
export function PlanForm({
  session,
  conversationId,
  patientId,
  onAssigned,
}: {
  session: HearthSession;
  conversationId: string;
  patientId: string;
  onAssigned: () => void;
}) {
  const id = useId();
  const [kind, setKind] = useState<InstrumentKind>("phq9");
  const [time, setTime] = useState("20:00");
  const here = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [zone, setZone] = useState(isTimeZone(here) ? here : "UTC");
  const [title, setTitle] = useState("");
  const [items, setItems] = useState("");
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState("");

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let custom: CustomScale | undefined;
    if (kind === "custom") {
      custom = parseCustomScale({
        title: title.trim(),
        items: items
          .split("\n")
          .map((l) => l.trim())
          .filter(Boolean),
        min: 0,
        max: 10,
        minLabel: "Not at all",
        maxLabel: "Extremely",
      });
      if (!custom) {
        setStatus("A scale needs a title and one to five statements, one per line.");
        return;
      }
    }
    setBusy(true);
    setStatus("");
    try {
      await assignPlan(session, conversationId, patientId, kind, { timeZone: zone, time }, custom);
      setStatus(`Assigned: ${instrumentOf(kind, custom).title}, every day at ${time}.`);
      onAssigned();
    } catch (err) {
      setStatus(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form checkin-plan-form" onSubmit={(e) => void submit(e)} aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Assign a check-in</h2>
      <div className="field">
        <label htmlFor={`${id}-kind`}>What to ask</label>
        <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as InstrumentKind)}>
          {INSTRUMENT_KINDS.map((k) => (
            <option key={k} value={k}>
              {LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      {kind === "custom" ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-title`}>Scale title</label>
            <input
              id={`${id}-title`}
              value={title}
              maxLength={200}
              onChange={(e) => setTitle(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-items`}>Statements, one per line (up to five; answered 0–10)</label>
            <textarea id={`${id}-items`} rows={3} value={items} onChange={(e) => setItems(e.target.value)} />
          </div>
        </>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-time`}>Every day at</label>
        <input
          id={`${id}-time`}
          type="time"
          required
          value={time}
          onChange={(e) => setTime(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-zone`}>In the patient's time zone</label>
        <select id={`${id}-zone`} value={zone} onChange={(e) => setZone(e.target.value)}>
          {ZONES.map((z) => (
            <option key={z} value={z}>
              {z.replaceAll("_", " ")}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="button button--primary" disabled={busy}>
        {busy ? "Assigning…" : "Assign check-in"}
      </button>
      <p className="quiet" role="status">
        {status}
      </p>
    </form>
  );
}
