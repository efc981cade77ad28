import type { Instrument, SeverityBand } from "./instruments.ts";

/** A scored check-in: its total, the band the total falls in, and the flag for the therapist. */
export interface CheckinScore {
  /** The sum of the item values. */
  total: number;
  /** The severity band of the total (PHQ-9, GAD-7); undefined for mood and custom scales. */
  band?: SeverityBand;
  /**
   * PHQ-9 item 9 ("thoughts that you would be better off dead or of hurting yourself") was answered
   * above zero. The patient's device shows crisis help at once and the therapist sees the response
   * marked. It is the answer itself, shown as given: not a risk assessment.
   */
  item9AboveZero: boolean;
}

/**
 * Are `answers` a complete answer set for `instrument`: one whole-number value per item, each one of
 * the instrument's options?
 */
export function validAnswers(instrument: Instrument, answers: readonly unknown[]): answers is number[] {
  if (!Array.isArray(answers) || answers.length !== instrument.items.length) return false;
  return answers.every(
    (a) => typeof a === "number" && Number.isInteger(a) && instrument.options.some((o) => o.value === a),
  );
}

/** The severity band `total` falls in, or undefined when the instrument has none. */
export function bandOf(instrument: Instrument, total: number): SeverityBand | undefined {
  return instrument.bands.find((b) => total >= b.min && total <= b.max);
}

/**
 * Scores a complete answer set. Throws a `RangeError` for an incomplete or out-of-range set (misuse:
 * screens only submit complete sets, and decoded payloads are checked with {@link validAnswers}).
 *
 * @example
 * scoreAnswers(PHQ9, [1, 1, 1, 1, 1, 0, 0, 0, 0]); // { total: 5, band: { id: "mild", … }, item9AboveZero: false }
 */
export function scoreAnswers(instrument: Instrument, answers: readonly number[]): CheckinScore {
  if (!validAnswers(instrument, answers)) {
    throw new RangeError(`a ${instrument.title} answer set needs ${instrument.items.length} valid values`);
  }
  const total = answers.reduce((s, a) => s + a, 0);
  const band = bandOf(instrument, total);
  const item9AboveZero = instrument.kind === "phq9" && (answers[8] ?? 0) > 0;
  return band ? { total, band, item9AboveZero } : { total, item9AboveZero };
}
