/** Small decorative icons (inline SVG: no requests, allowed by the CSP, `currentColor`). */

/** A lifebuoy, for crisis help. */
export function LifebuoyIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <circle cx="12" cy="12" r="9" fill="none" stroke="currentColor" strokeWidth="2" />
      <circle cx="12" cy="12" r="4" fill="none" stroke="currentColor" strokeWidth="2" />
      <path
        d="M5.6 5.6l3.6 3.6M14.8 14.8l3.6 3.6M18.4 5.6l-3.6 3.6M9.2 14.8l-3.6 3.6"
        stroke="currentColor"
        strokeWidth="2"
      />
    </svg>
  );
}

/** An arrow leaving a door, for quick exit. */
export function ExitIcon() {
  return (
    <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
      <path
        d="M10 4H5v16h5M14 8l4 4-4 4M18 12H9"
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}

/** The Hearth mark: a soft flame in a rounded square. */
export function HearthMark() {
  return (
    <svg className="brand__mark" viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect width="32" height="32" rx="9" fill="currentColor" />
      <path
        className="brand__flame"
        d="M16 6c1.2 3.4 5.8 6.2 5.8 11.3A5.8 5.8 0 0 1 16 23.1a5.8 5.8 0 0 1-5.8-5.8c0-2.7 1.5-4.2 2.6-5.6.3 1.9 1.2 3 2.4 3.4-.6-3.3.1-6.3.8-9.1z"
      />
      <rect className="brand__flame" x="9" y="25" width="14" height="2" rx="1" />
    </svg>
  );
}
