import type {
  Appointment,
  Bundle,
  BundleEntry,
  Observation,
  Patient,
  QuestionnaireResponse,
  QuestionnaireResponseItem,
  Reference,
  Resource,
} from "@medplum/fhirtypes";
import type { ScoredCheckin } from "./checkin-trends.ts";

/** The code system of Hearth's own codes (mood, custom scales): a URN, so nothing resolves it. */
export const HEARTH_CODE_SYSTEM = "urn:hearth:checkin";
/** The identifier system of Hearth user ids in an export. */
export const HEARTH_USER_SYSTEM = "urn:hearth:user";
const LOINC = "http://loinc.org";
const SURVEY = {
  coding: [
    {
      system: "http://terminology.hl7.org/CodeSystem/observation-category",
      code: "survey",
      display: "Survey",
    },
  ],
};

/**
 * A session to export as a FHIR `Appointment`. Kept to what the export needs, so the appointments
 * module's own type (another engineer's) can be mapped onto it without this module importing it.
 */
export interface FhirAppointmentInput {
  id: string;
  /** ISO-8601 start and end. */
  start: string;
  end: string;
  status: "booked" | "cancelled" | "fulfilled" | "noshow";
  /** Only when the therapist chooses to include it: exported as the appointment's description. */
  description?: string;
}

/** What to export: one patient's check-ins (and, optionally, their sessions). */
export interface FhirExportInput {
  patient: { userId: string; displayName?: string };
  checkins: readonly ScoredCheckin[];
  appointments?: readonly FhirAppointmentInput[];
  /** When the export was made (ISO-8601); the bundle's `timestamp`. */
  generatedAt: string;
  /** Makes the `urn:uuid:` of each entry; default `crypto.randomUUID()` (tests pass a counter). */
  uuid?: () => string;
}

const entry = (fullUrl: string, resource: Resource): BundleEntry => ({
  fullUrl,
  resource,
  request: { method: "POST", url: resource.resourceType },
});

function responseItems(c: ScoredCheckin): QuestionnaireResponseItem[] {
  const items = c.instrument.items.map((item, i): QuestionnaireResponseItem => {
    const value = c.answer.answers[i] as number;
    const option = c.instrument.options.find((o) => o.value === value);
    const answer = option?.loinc
      ? { valueCoding: { system: LOINC, code: option.loinc, display: option.label } }
      : { valueInteger: value };
    return {
      linkId: item.id,
      text: item.text,
      ...(item.loinc ? { definition: `${LOINC}/${item.loinc}` } : {}),
      answer: [answer],
    };
  });
  if (c.answer.note !== undefined && c.answer.note !== "") {
    items.push({ linkId: "note", text: "Note", answer: [{ valueString: c.answer.note }] });
  }
  return items;
}

function scoreCode(c: ScoredCheckin) {
  const loinc = c.instrument.loinc;
  if (loinc) {
    return {
      coding: [{ system: LOINC, code: loinc.total, display: `${c.instrument.title} total score` }],
      text: `${c.instrument.title} total score`,
    };
  }
  const code = c.instrument.kind === "mood" ? "mood" : "custom-total";
  return {
    coding: [{ system: HEARTH_CODE_SYSTEM, code, display: `${c.instrument.title} (patient-reported)` }],
    text: `${c.instrument.title} (patient-reported)`,
  };
}

/**
 * Builds a FHIR R4 `transaction` Bundle of one patient's check-ins: a `Patient` (identified by the
 * Hearth user id; the name only when given), a `QuestionnaireResponse` per answered check-in, an
 * `Observation` per score (LOINC: PHQ-9 total 44261-6, GAD-7 total 70274-6; Hearth's own codes
 * for mood and custom scales), an `Observation` for PHQ-9 item 9 (44260-8) with the answer as
 * given, and an `Appointment` per session passed in. Entries reference each other by `urn:uuid:`,
 * so any FHIR server can import the file with one POST. Runs on the therapist's device; Hearth never
 * uploads it.
 *
 * @example
 * const bundle = checkinsToFhirBundle({ patient: { userId }, checkins, generatedAt: new Date().toISOString() });
 * download(new Blob([JSON.stringify(bundle, null, 2)], { type: "application/fhir+json" }));
 */
export function checkinsToFhirBundle(input: FhirExportInput): Bundle {
  const uuid = input.uuid ?? (() => globalThis.crypto.randomUUID());
  const patientUrl = `urn:uuid:${uuid()}`;
  const subject: Reference<Patient> = { reference: patientUrl };
  const patient: Patient = {
    resourceType: "Patient",
    identifier: [{ system: HEARTH_USER_SYSTEM, value: input.patient.userId }],
    ...(input.patient.displayName ? { name: [{ text: input.patient.displayName }] } : {}),
  };
  const entries: BundleEntry[] = [entry(patientUrl, patient)];
  for (const c of input.checkins) {
    const responseUrl = `urn:uuid:${uuid()}`;
    const qr: QuestionnaireResponse = {
      resourceType: "QuestionnaireResponse",
      status: "completed",
      ...(c.instrument.loinc ? { questionnaire: `${LOINC}/q/${c.instrument.loinc.panel}` } : {}),
      subject,
      authored: c.answer.answeredAt,
      item: responseItems(c),
    };
    if (c.instrument.loinc) {
      qr.meta = { tag: [{ system: LOINC, code: c.instrument.loinc.panel, display: c.instrument.title }] };
    }
    entries.push(entry(responseUrl, qr));
    const total: Observation = {
      resourceType: "Observation",
      status: "final",
      category: [SURVEY],
      code: scoreCode(c),
      subject,
      effectiveDateTime: c.answer.answeredAt,
      valueInteger: c.score.total,
      derivedFrom: [{ reference: responseUrl }],
      ...(c.score.band
        ? { interpretation: [{ text: `${c.score.band.label} (${c.score.band.min}–${c.score.band.max})` }] }
        : {}),
    };
    entries.push(entry(`urn:uuid:${uuid()}`, total));
    if (c.instrument.kind === "phq9") {
      const value = c.answer.answers[8] as number;
      const option = c.instrument.options.find((o) => o.value === value);
      const item9: Observation = {
        resourceType: "Observation",
        status: "final",
        category: [SURVEY],
        code: {
          coding: [{ system: LOINC, code: "44260-8", display: c.instrument.items[8]?.text ?? "" }],
        },
        subject,
        effectiveDateTime: c.answer.answeredAt,
        valueCodeableConcept: {
          coding: [{ system: LOINC, code: option?.loinc ?? "", display: option?.label ?? "" }],
          text: option?.label ?? String(value),
        },
        derivedFrom: [{ reference: responseUrl }],
        // The answer as given, marked for the clinician's attention: not a risk assessment.
        ...(c.score.item9AboveZero ? { note: [{ text: "Patient answered item 9 above zero." }] } : {}),
      };
      entries.push(entry(`urn:uuid:${uuid()}`, item9));
    }
  }
  for (const a of input.appointments ?? []) {
    const appointment: Appointment = {
      resourceType: "Appointment",
      identifier: [{ system: "urn:hearth:appointment", value: a.id }],
      status: a.status,
      start: a.start,
      end: a.end,
      ...(a.description ? { description: a.description } : {}),
      participant: [{ actor: subject, status: "accepted" }],
    };
    entries.push(entry(`urn:uuid:${uuid()}`, appointment));
  }
  return { resourceType: "Bundle", type: "transaction", timestamp: input.generatedAt, entry: entries };
}
