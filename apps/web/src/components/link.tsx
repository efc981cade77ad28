import type { AnchorHTMLAttributes, MouseEvent } from "react";
import { navigate } from "../router/router.ts";

/** Props of {@link Link}: an anchor whose `href` is an in-app path. */
export type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string };

/**
 * An in-app link: a real `<a href>` (so it works with the keyboard, screen readers and "open in
 * new tab"), navigating without a page load on a plain click.
 */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}
