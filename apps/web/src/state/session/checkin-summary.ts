import { callRecordText, instrumentOf, type MessageContent, scoreAnswers } from "@hearth/client";

/**
 * The line a check-in or a plan shows as in the chat, made on this device from the decrypted
 * content (never the sender's own words for a score): "PHQ-9 check-in: 7 (Mild) · item 9 answered
 * above zero"; likewise a call's trace. Undefined for any other message.
 */
export function checkinSummary(content: MessageContent | undefined): string | undefined {
  if (content?.kind === "checkin" && content.checkin) {
    const c = content.checkin;
    const instrument = instrumentOf(c.instrument, c.custom);
    const score = scoreAnswers(instrument, c.answers);
    const parts = [
      `${instrument.title} check-in: ${score.total}${score.band ? ` (${score.band.label})` : ""}`,
    ];
    if (score.item9AboveZero) parts.push("item 9 answered above zero");
    if (c.note) parts.push(`“${c.note}”`);
    return parts.join(" · ");
  }
  if (content?.kind === "checkin-plan" && content.checkinPlan) {
    const p = content.checkinPlan;
    return `New check-in: ${instrumentOf(p.instrument, p.custom).title}, every day at ${p.schedule.time}. Open Check-ins to answer.`;
  }
  // A call's trace: the line is made here from the record ("Missed voice call", "Video call · 12 min").
  if (content?.kind === "call" && content.call) return callRecordText(content.call);
  return undefined;
}
