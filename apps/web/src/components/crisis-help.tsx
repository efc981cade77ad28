import "./crisis-help.css";
import { useId, useMemo, useState } from "react";
import {
  CRISIS_DIRECTORY,
  type CrisisCountry,
  EU_CODE,
  formatVersionDate,
  helpFor,
  telHref,
} from "../crisis/crisis-directory.ts";
import { guessBrowserRegion, type RegionGuess, regionName } from "../crisis/detect-region.ts";
import { CrisisLineCard } from "./crisis-line-card.tsx";

const REGION_KEY = "hearth.crisisRegion";

/** The region the person chose on the crisis screen, if any (kept on this device only). */
export function storedRegion(): string | undefined {
  try {
    return localStorage.getItem(REGION_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

function storeRegion(code: string): void {
  try {
    localStorage.setItem(REGION_KEY, code);
  } catch {
    // Without storage the choice lasts until the page closes.
  }
}

function countryLabel(country: CrisisCountry): string {
  return country.code === EU_CODE ? "Elsewhere in the EU (EU-wide numbers)" : country.name;
}

/**
 * The emergency number, first and largest: the directory says to always show it first, and at 200%
 * zoom on a phone it is the one thing that must be on the first screen, so its words are few.
 */
function EmergencyCall({ number, where }: { number: string | undefined; where: string }) {
  const href = number ? telHref(number) : undefined;
  return (
    <section className="emergency" aria-labelledby="emergency-title">
      <h3 id="emergency-title" className="emergency__title">
        In danger right now?
      </h3>
      {number && href ? (
        <>
          <a className="action action--emergency" href={href}>
            Call {number}
          </a>
          <p className="emergency__text">
            If your life or someone else's is at risk, call emergency services ({where}).
          </p>
        </>
      ) : (
        <p className="emergency__text">Call your local emergency number.</p>
      )}
    </section>
  );
}

function LineList({ country }: { country: CrisisCountry }) {
  return (
    <ul className="line-list">
      {country.lines.map((line) => (
        <CrisisLineCard key={line.name} line={line} />
      ))}
    </ul>
  );
}

/**
 * The crisis directory for one region: chosen automatically (time zone, then language), changeable
 * with a select, remembered on this device. Works offline: the directory is bundled.
 */
export function CrisisHelp() {
  const selectId = useId();
  const guess = useMemo<RegionGuess | undefined>(() => guessBrowserRegion(), []);
  const [region, setRegion] = useState<string | undefined>(() => storedRegion() ?? guess?.code);
  const countries = useMemo(
    () =>
      [...CRISIS_DIRECTORY.countries].sort((a, b) => {
        if (a.code === EU_CODE) return 1;
        if (b.code === EU_CODE) return -1;
        return a.name.localeCompare(b.name);
      }),
    [],
  );
  const help = region ? helpFor(region) : undefined;
  const unlistedName = help?.kind === "unlisted" ? regionName(help.code) : undefined;

  const onChange = (code: string) => {
    if (!code) return;
    setRegion(code);
    storeRegion(code);
  };

  let guessNote = "";
  if (region && region === guess?.code && storedRegion() === undefined) {
    guessNote =
      guess.source === "time-zone" ? " (from your device's time zone)" : " (from your language settings)";
  }

  const emergency =
    help?.kind === "listed" ? (
      help.country.emergency ? (
        <EmergencyCall number={help.country.emergency} where={countryLabel(help.country)} />
      ) : null
    ) : help?.kind === "unlisted" ? (
      <EmergencyCall number={help.emergency} where="EU emergency number" />
    ) : null;

  return (
    <div className="crisis-help">
      {emergency}
      <div className="field field--inline">
        <label htmlFor={selectId}>Country or region</label>
        <select id={selectId} value={region ?? ""} onChange={(e) => onChange(e.currentTarget.value)}>
          {region ? null : <option value="">Choose where you are…</option>}
          {unlistedName && help?.kind === "unlisted" ? (
            <option value={help.code}>{unlistedName} (not in our directory yet)</option>
          ) : null}
          {countries.map((c) => (
            <option key={c.code} value={c.code}>
              {countryLabel(c)}
            </option>
          ))}
        </select>
      </div>
      {region && help ? (
        <p className="crisis-help__showing">
          Showing help for{" "}
          <strong>{help.kind === "listed" ? countryLabel(help.country) : unlistedName}</strong>
          {guessNote}.
        </p>
      ) : (
        <p className="crisis-help__showing">Choose where you are to see helplines you can call.</p>
      )}

      {help?.kind === "listed" ? (
        <>
          <h3 className="crisis-help__lines-title">Talk to someone</h3>
          <p className="crisis-help__intro">
            You don't have to go through this alone. You can reach someone now.
          </p>
          <LineList country={help.country} />
        </>
      ) : null}

      {help?.kind === "unlisted" ? (
        <>
          <p className="crisis-help__missing">
            We don't have helplines for {unlistedName} in our directory yet. We only list numbers we could
            check, so we won't guess one.
          </p>
          {help.international.length > 0 ? (
            <>
              <h3 className="crisis-help__lines-title">Numbers that work in several countries</h3>
              {help.international.map((c) => (
                <div key={c.code}>
                  <p className="crisis-help__group">
                    {countryLabel(c)} — only where a country has assigned it:
                  </p>
                  <LineList country={c} />
                </div>
              ))}
            </>
          ) : null}
        </>
      ) : null}

      <p className="crisis-help__meta">
        Directory updated {formatVersionDate(CRISIS_DIRECTORY.version)}. Numbers can change; each line's
        Sources say where it comes from and how well it was confirmed.
      </p>
    </div>
  );
}
