import { Fragment } from "react";

/**
 * A name someone chose (a display name, a device name, a practice name, a file name), isolated
 * with `<bdi>`: right-to-left letters or a stray direction mark inside it cannot reorder the text
 * around it, so "Sky: hello" never reads as someone else's words. (The server refuses bidi
 * overrides in names; this keeps older names and right-to-left names in their place too.)
 */
export function Name({ children }: { children: string }) {
  return <bdi>{children}</bdi>;
}

/** Several names, each isolated, separated by commas; `empty` (plain text) when there are none. */
export function Names({ names, empty }: { names: readonly string[]; empty: string }) {
  if (names.length === 0) return <>{empty}</>;
  return (
    <>
      {names.map((name, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: two members may share a name; the list never reorders in place.
        <Fragment key={i}>
          {i > 0 ? ", " : null}
          <Name>{name}</Name>
        </Fragment>
      ))}
    </>
  );
}
