/**
 * The check-in instruments: a mood scale (1–5 with an optional note), PHQ-9 and GAD-7 (standard item
 * texts, answer options, scoring and severity bands) and a short custom scale a therapist defines.
 * Pure functions and constants: no I/O, no clock, the same in the browser and in Node.
 *
 * The PHQ-9 and GAD-7 were developed by Drs. Robert L. Spitzer, Janet B.W. Williams, Kurt Kroenke
 * and colleagues, with an educational grant from Pfizer Inc.; no permission is required to
 * reproduce, translate, display or distribute them. Scores are screening aids for a clinician:
 * Hearth never interprets them as a diagnosis or as a detection of risk.
 */

/** The kinds of check-in a plan may ask for. */
export type InstrumentKind = "mood" | "phq9" | "gad7" | "custom";

/** Every {@link InstrumentKind}, in the order a therapist is offered them. */
export const INSTRUMENT_KINDS: readonly InstrumentKind[] = Object.freeze(["mood", "phq9", "gad7", "custom"]);

/** One answer option: the value it scores and its label. */
export interface AnswerOption {
  value: number;
  label: string;
  /** The LOINC answer code (PHQ-9, GAD-7), for the FHIR export. */
  loinc?: string;
}

/** One question of an instrument. */
export interface InstrumentItem {
  /** Stable id within the instrument (`phq9-1` … `phq9-9`, `gad7-1` …, `mood`, `custom-1` …). */
  id: string;
  text: string;
  /** The item's LOINC code (PHQ-9, GAD-7), for the FHIR export. */
  loinc?: string;
}

/** A severity band of a total score: `min` to `max` inclusive. */
export interface SeverityBand {
  id: "minimal" | "mild" | "moderate" | "moderately_severe" | "severe";
  label: string;
  min: number;
  max: number;
}

/**
 * A therapist's short custom scale: 1 to {@link MAX_CUSTOM_ITEMS} statements, each answered with a
 * whole number from `min` to `max` (at most 11 steps, e.g. 0–10), with optional labels for the ends.
 * Its total is the sum; it has no severity bands.
 */
export interface CustomScale {
  title: string;
  items: string[];
  min: number;
  max: number;
  minLabel?: string;
  maxLabel?: string;
}

/** Bounds of a {@link CustomScale}, checked by {@link parseCustomScale}. */
export const MAX_CUSTOM_ITEMS = 5;
export const MAX_CUSTOM_TEXT = 200;
/** Longest mood note, in UTF-16 code units. */
export const MAX_NOTE_LENGTH = 2000;

/** An instrument as a screen shows it and the scorer reads it. */
export interface Instrument {
  kind: InstrumentKind;
  title: string;
  /** The question put before the items ("Over the last 2 weeks…"), if any. */
  prompt?: string;
  items: readonly InstrumentItem[];
  /** The options every item is answered with. */
  options: readonly AnswerOption[];
  /** The lowest and highest possible total. */
  range: { min: number; max: number };
  /** Severity bands of the total, lowest first (empty for mood and custom scales). */
  bands: readonly SeverityBand[];
  /** LOINC codes of the panel and its total score, for the FHIR export (PHQ-9, GAD-7). */
  loinc?: { panel: string; total: string };
}

/** The four frequency options of the PHQ-9 and GAD-7, with their LOINC answer codes. */
const FREQUENCY: readonly AnswerOption[] = Object.freeze([
  { value: 0, label: "Not at all", loinc: "LA6568-5" },
  { value: 1, label: "Several days", loinc: "LA6569-3" },
  { value: 2, label: "More than half the days", loinc: "LA6570-1" },
  { value: 3, label: "Nearly every day", loinc: "LA6571-9" },
]);

/** PHQ-9 (Kroenke, Spitzer & Williams 2001), the nine items and their LOINC codes. */
export const PHQ9: Instrument = Object.freeze({
  kind: "phq9",
  title: "PHQ-9",
  prompt: "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
  items: Object.freeze([
    { id: "phq9-1", loinc: "44250-9", text: "Little interest or pleasure in doing things" },
    { id: "phq9-2", loinc: "44255-8", text: "Feeling down, depressed, or hopeless" },
    { id: "phq9-3", loinc: "44259-0", text: "Trouble falling or staying asleep, or sleeping too much" },
    { id: "phq9-4", loinc: "44254-1", text: "Feeling tired or having little energy" },
    { id: "phq9-5", loinc: "44251-7", text: "Poor appetite or overeating" },
    {
      id: "phq9-6",
      loinc: "44258-2",
      text: "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
    },
    {
      id: "phq9-7",
      loinc: "44252-5",
      text: "Trouble concentrating on things, such as reading the newspaper or watching television",
    },
    {
      id: "phq9-8",
      loinc: "44253-3",
      text: "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so fidgety or restless that you have been moving around a lot more than usual",
    },
    {
      id: "phq9-9",
      loinc: "44260-8",
      text: "Thoughts that you would be better off dead or of hurting yourself in some way",
    },
  ]),
  options: FREQUENCY,
  range: { min: 0, max: 27 },
  bands: Object.freeze<SeverityBand[]>([
    { id: "minimal", label: "Minimal", min: 0, max: 4 },
    { id: "mild", label: "Mild", min: 5, max: 9 },
    { id: "moderate", label: "Moderate", min: 10, max: 14 },
    { id: "moderately_severe", label: "Moderately severe", min: 15, max: 19 },
    { id: "severe", label: "Severe", min: 20, max: 27 },
  ]),
  loinc: { panel: "44249-1", total: "44261-6" },
});

/** GAD-7 (Spitzer, Kroenke, Williams & Löwe 2006), the seven items and their LOINC codes. */
export const GAD7: Instrument = Object.freeze({
  kind: "gad7",
  title: "GAD-7",
  prompt: "Over the last 2 weeks, how often have you been bothered by the following problems?",
  items: Object.freeze([
    { id: "gad7-1", loinc: "69725-0", text: "Feeling nervous, anxious, or on edge" },
    { id: "gad7-2", loinc: "68509-9", text: "Not being able to stop or control worrying" },
    { id: "gad7-3", loinc: "69733-4", text: "Worrying too much about different things" },
    { id: "gad7-4", loinc: "69734-2", text: "Trouble relaxing" },
    { id: "gad7-5", loinc: "69735-9", text: "Being so restless that it is hard to sit still" },
    { id: "gad7-6", loinc: "69689-8", text: "Becoming easily annoyed or irritable" },
    { id: "gad7-7", loinc: "69736-7", text: "Feeling afraid, as if something awful might happen" },
  ]),
  options: FREQUENCY,
  range: { min: 0, max: 21 },
  bands: Object.freeze<SeverityBand[]>([
    { id: "minimal", label: "Minimal", min: 0, max: 4 },
    { id: "mild", label: "Mild", min: 5, max: 9 },
    { id: "moderate", label: "Moderate", min: 10, max: 14 },
    { id: "severe", label: "Severe", min: 15, max: 21 },
  ]),
  loinc: { panel: "69737-5", total: "70274-6" },
});

/** The mood scale: one tap from 1 (very low) to 5 (very good), with an optional note. */
export const MOOD: Instrument = Object.freeze({
  kind: "mood",
  title: "Mood",
  items: Object.freeze([{ id: "mood", text: "How are you feeling right now?" }]),
  options: Object.freeze([
    { value: 1, label: "Very low" },
    { value: 2, label: "Low" },
    { value: 3, label: "Okay" },
    { value: 4, label: "Good" },
    { value: 5, label: "Very good" },
  ]),
  range: { min: 1, max: 5 },
  bands: Object.freeze([]),
});

/** The {@link Instrument} of a custom scale (items `custom-1` …, options `min`…`max`). */
export function customInstrument(scale: CustomScale): Instrument {
  const options: AnswerOption[] = [];
  for (let v = scale.min; v <= scale.max; v++) {
    const label =
      v === scale.min && scale.minLabel
        ? `${v} (${scale.minLabel})`
        : v === scale.max && scale.maxLabel
          ? `${v} (${scale.maxLabel})`
          : String(v);
    options.push({ value: v, label });
  }
  return {
    kind: "custom",
    title: scale.title,
    items: scale.items.map((text, i) => ({ id: `custom-${i + 1}`, text })),
    options,
    range: { min: scale.min * scale.items.length, max: scale.max * scale.items.length },
    bands: [],
  };
}

/** The instrument of a kind (a custom one needs its scale). */
export function instrumentOf(kind: InstrumentKind, custom?: CustomScale): Instrument {
  switch (kind) {
    case "phq9":
      return PHQ9;
    case "gad7":
      return GAD7;
    case "mood":
      return MOOD;
    case "custom":
      if (!custom) throw new RangeError("a custom check-in needs its scale");
      return customInstrument(custom);
  }
}

const isText = (v: unknown, max: number): v is string =>
  typeof v === "string" && v.trim().length > 0 && v.length <= max;

/** A {@link CustomScale} from untrusted input (a decrypted payload, a form), or undefined. */
export function parseCustomScale(v: unknown): CustomScale | undefined {
  if (typeof v !== "object" || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (!isText(o.title, MAX_CUSTOM_TEXT)) return undefined;
  if (!Array.isArray(o.items) || o.items.length < 1 || o.items.length > MAX_CUSTOM_ITEMS) return undefined;
  if (!o.items.every((i) => isText(i, MAX_CUSTOM_TEXT))) return undefined;
  const { min, max } = o;
  if (!Number.isInteger(min) || !Number.isInteger(max)) return undefined;
  if ((min as number) < 0 || (max as number) > 10 || (min as number) >= (max as number)) return undefined;
  const scale: CustomScale = {
    title: o.title,
    items: [...(o.items as string[])],
    min: min as number,
    max: max as number,
  };
  if (o.minLabel !== undefined) {
    if (!isText(o.minLabel, MAX_CUSTOM_TEXT)) return undefined;
    scale.minLabel = o.minLabel;
  }
  if (o.maxLabel !== undefined) {
    if (!isText(o.maxLabel, MAX_CUSTOM_TEXT)) return undefined;
    scale.maxLabel = o.maxLabel;
  }
  return scale;
}
