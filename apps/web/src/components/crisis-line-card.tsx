import "./crisis-help.css";
import { type Confidence, type CrisisLine, smsHref, telHref } from "../crisis/crisis-directory.ts";

/** What each confidence level of the directory means, in words (see the directory's `note`). */
const CONFIDENCE_TEXT: Record<Confidence, string> = {
  high: "Confirmed by the helpline itself, its operator or a government page",
  medium: "Confirmed by other published sources, such as news reports",
  low: "Only partly confirmed",
};

function languageNames(codes: readonly string[]): string {
  let names: Intl.DisplayNames | undefined;
  try {
    names = new Intl.DisplayNames(["en"], { type: "language" });
  } catch {
    names = undefined;
  }
  return codes.map((c) => names?.of(c) ?? c).join(", ");
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, "");
  } catch {
    return url;
  }
}

/** A phone number as a call link, or plain text when it has no digits. */
function CallLink({ number, className }: { number: string; className?: string }) {
  const href = telHref(number);
  return href ? (
    <a className={className} href={href}>
      {number}
    </a>
  ) : (
    <span>{number}</span>
  );
}

/**
 * One helpline: ways to reach it first (call, text, chat), then hours, cost and languages, then,
 * behind "Sources", where the number comes from and how well it was confirmed. Shows only what
 * the directory has; nothing is filled in.
 */
export function CrisisLineCard({ line }: { line: CrisisLine }) {
  const sms = line.sms ? smsHref(line.sms) : undefined;
  const tel = line.phone ? telHref(line.phone) : undefined;
  return (
    <li className="line-card">
      <h4 className="line-card__name">{line.name}</h4>
      <div className="line-card__actions">
        {line.phone && tel ? (
          <a className="action action--primary" href={tel}>
            Call {line.phone}
          </a>
        ) : null}
        {line.sms && sms ? (
          <a className="action" href={sms}>
            Text {line.sms}
          </a>
        ) : null}
        {line.chat ? (
          <a className="action" href={line.chat} target="_blank" rel="noopener noreferrer">
            Chat online<span className="visually-hidden"> (opens in a new tab)</span>
          </a>
        ) : null}
      </div>
      {line.phone_alt?.length ? (
        <p className="line-card__alt">
          Also:{" "}
          {line.phone_alt.map((n, i) => (
            <span key={n}>
              {i > 0 ? ", " : ""}
              <CallLink number={n} />
            </span>
          ))}
        </p>
      ) : null}
      {line.whatsapp ? <p className="line-card__alt">WhatsApp: {line.whatsapp}</p> : null}
      <dl className="line-card__facts">
        {line.hours ? (
          <div>
            <dt>Hours</dt>
            <dd>{line.hours}</dd>
          </div>
        ) : (
          <div>
            <dt>Hours</dt>
            <dd>Not confirmed</dd>
          </div>
        )}
        {line.free ? (
          <div>
            <dt>Cost</dt>
            <dd>Free</dd>
          </div>
        ) : null}
        {line.languages?.length ? (
          <div>
            <dt>Languages</dt>
            <dd>{languageNames(line.languages)}</dd>
          </div>
        ) : null}
      </dl>
      {line.notes ? (
        <details className="line-card__notes">
          <summary>More about this line</summary>
          <p>{line.notes}</p>
        </details>
      ) : null}
      {/* Where the number comes from, for whoever wants to check; kept out of the way, since a
          "medium confidence" beside a number worries a person in crisis more than it helps. */}
      <details className="line-card__sources">
        <summary>
          Sources<span className="visually-hidden"> for {line.name}</span>
        </summary>
        <p>
          {CONFIDENCE_TEXT[line.confidence]} ({line.confidence} confidence).
        </p>
        <ul>
          {[line.source, ...(line.other_sources ?? [])].map((url) => (
            <li key={url}>
              <a href={url} target="_blank" rel="noopener noreferrer">
                {hostOf(url)}
                <span className="visually-hidden"> (opens in a new tab)</span>
              </a>
            </li>
          ))}
        </ul>
      </details>
    </li>
  );
}
