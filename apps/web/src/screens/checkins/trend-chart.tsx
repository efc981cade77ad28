import type { CheckinTrend } from "@hearth/client";
import { useId } from "react";

const W = 600;
const H = 220;
const PAD = { left: 36, right: 12, top: 12, bottom: 34 };
const when = (t: number) =>
  new Intl.DateTimeFormat(undefined, {
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
  }).format(t);
const day = (t: number) => new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" }).format(t);

/**
 * One instrument's scores over time: the severity bands behind, a line through the scores, a ring
 * on a response marked for the therapist (PHQ-9 item 9 above zero), and a mark under the axis for
 * each missed check-in. Hand-made SVG in the theme's colours. Screen readers get the table beneath
 * (the picture itself is one labelled image), which sighted people can open too.
 */
export function TrendChart({ trend, title }: { trend: CheckinTrend; title: string }) {
  const id = useId();
  const { instrument, points, missed } = trend;
  const times = [...points.map((p) => p.at), ...missed];
  // A plan with nothing due yet has no times: the chart spans today.
  const t0 = times.length > 0 ? Math.min(...times) : Date.now();
  const t1 = times.length > 0 ? Math.max(...times) : t0;
  const span = Math.max(t1 - t0, 3_600_000);
  const x = (t: number) => PAD.left + ((t - t0) / span) * (W - PAD.left - PAD.right);
  const { min, max } = instrument.range;
  const y = (v: number) => PAD.top + (1 - (v - min) / Math.max(max - min, 1)) * (H - PAD.top - PAD.bottom);
  const latest = points.at(-1);
  const summary = latest
    ? `${points.length} check-in${points.length === 1 ? "" : "s"}, latest ${latest.score.total}${
        latest.score.band ? ` (${latest.score.band.label})` : ""
      }; ${missed.length} missed.`
    : `No answers yet; ${missed.length} missed.`;
  const rows = [
    ...points.map((p) => ({ at: p.at, point: p })),
    ...missed.map((at) => ({ at, point: undefined })),
  ].sort((a, b) => a.at - b.at);

  return (
    <figure className="trend" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`}>
        <span className="trend__title">{title}</span> <span className="quiet">{summary}</span>
      </figcaption>
      <svg className="trend__svg" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby={`${id}-svg`}>
        <title id={`${id}-svg`}>{`${title}: ${summary}`}</title>
        {instrument.bands.map((b) => (
          <g key={b.id}>
            <rect
              className={`trend__band trend__band--${b.id}`}
              x={PAD.left}
              width={W - PAD.left - PAD.right}
              y={y(Math.min(b.max + 0.5, max))}
              height={y(Math.max(b.min - 0.5, min)) - y(Math.min(b.max + 0.5, max))}
            />
            <text
              className="trend__band-label"
              x={W - PAD.right - 4}
              y={y(Math.min(b.max + 0.5, max)) + 12}
              textAnchor="end"
            >
              {b.label}
            </text>
          </g>
        ))}
        <line
          className="trend__axis"
          x1={PAD.left}
          x2={W - PAD.right}
          y1={H - PAD.bottom}
          y2={H - PAD.bottom}
        />
        {[min, max].map((v) => (
          <text key={v} className="trend__tick" x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
            {v}
          </text>
        ))}
        <text className="trend__tick" x={PAD.left} y={H - 8}>
          {day(t0)}
        </text>
        <text className="trend__tick" x={W - PAD.right} y={H - 8} textAnchor="end">
          {day(t1)}
        </text>
        {points.length > 1 ? (
          <polyline
            className="trend__line"
            points={points.map((p) => `${x(p.at)},${y(p.score.total)}`).join(" ")}
          />
        ) : null}
        {points.map((p) => (
          <g key={p.messageId}>
            <circle className="trend__point" cx={x(p.at)} cy={y(p.score.total)} r={4.5} />
            {p.score.item9AboveZero ? (
              <circle className="trend__flag" cx={x(p.at)} cy={y(p.score.total)} r={9} />
            ) : null}
          </g>
        ))}
        {missed.map((t) => (
          <path key={t} className="trend__missed" d={`M${x(t)} ${H - PAD.bottom + 4} l5 6 l-5 6 l-5 -6 z`} />
        ))}
      </svg>
      <p className="trend__legend quiet">
        Shaded bands: the instrument's ranges. A dashed ring marks a response with PHQ-9 item 9 answered above
        zero; a small diamond under the axis marks a missed check-in.
      </p>
      <details className="trend__table">
        <summary>Show as a table</summary>
        <table>
          <caption className="visually-hidden">{title}: every check-in, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Score</th>
              <th scope="col">Range</th>
              <th scope="col">Notes</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ at, point }) => (
              <tr key={`${at}-${point?.messageId ?? "missed"}`}>
                <td>{when(at)}</td>
                <td>{point ? point.score.total : "Missed"}</td>
                <td>{point?.score.band?.label ?? ""}</td>
                <td>
                  {point?.score.item9AboveZero ? "Item 9 answered above zero. " : ""}
                  {point?.answer.note ?? ""}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
