import { useSyncExternalStore } from "react";

/**
 * Wide enough for two panes: the list beside the open conversation. In rem, so 200% zoom of a
 * desktop window (1280 px → 640 CSS px) gets the phone layout, with the conversation full width.
 */
export const WIDE_QUERY = "(min-width: 60rem)";

function subscribe(onChange: () => void): () => void {
  const media = window.matchMedia(WIDE_QUERY);
  media.addEventListener("change", onChange);
  return () => media.removeEventListener("change", onChange);
}

const isWide = () => window.matchMedia(WIDE_QUERY).matches;

/** Whether the window is wide enough for two panes; re-renders when that changes (resize, zoom). */
export function useWideScreen(): boolean {
  return useSyncExternalStore(subscribe, isWide, () => false);
}
