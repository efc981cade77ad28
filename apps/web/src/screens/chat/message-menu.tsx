import { type KeyboardEvent, type ReactNode, useEffect, useId, useRef, useState } from "react";

/** One item of a message's menu: "Reply", "Delete"; add one line to offer another. */
export interface MessageAction {
  /** What the item says ("Reply"); also its accessible name. */
  label: string;
  onSelect: () => void;
}

/** The items of an open menu, in order. */
const itemsOf = (menu: HTMLElement | null) => [
  ...(menu?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []),
];

/** How a menu is opened: which item gets the focus. */
type Opening = "first" | "last";

/**
 * "More actions" for one message: a menu button (the WAI-ARIA menu button pattern) with the
 * message's actions, so a long conversation is not lined with links under every bubble.
 *
 * - Enter, Space or Down opens the menu at its first item; Up at its last.
 * - In the menu: Up and Down move (wrapping), Home and End go to the ends, Enter chooses, Escape
 *   closes and hands the focus back to the button, Tab closes and moves on.
 * - A long press on the message (touch) or its context menu (right click) opens it too, through
 *   `openRef`.
 */
export function MessageMenu({
  actions,
  about,
  openRef,
}: {
  actions: readonly MessageAction[];
  /** For screen readers: which message the button is for ("your message: Thursday at 4…"). */
  about: ReactNode;
  /** Set to a function that opens the menu at its first item (long press, context menu). */
  openRef?: { current: (() => void) | undefined };
}) {
  const id = useId();
  const [open, setOpen] = useState<Opening | undefined>();
  // Open upwards when the button is low in the window, so the menu is not cut off by the composer.
  const [upwards, setUpwards] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  const show = (at: Opening) => {
    const rect = button.current?.getBoundingClientRect();
    setUpwards(rect !== undefined && rect.top > window.innerHeight / 2);
    setOpen(at);
  };
  const close = (refocus: boolean) => {
    setOpen(undefined);
    if (refocus) button.current?.focus();
  };
  if (openRef) openRef.current = () => show("first");

  // Once drawn, the focus goes to the first (or last) item.
  useEffect(() => {
    if (!open) return;
    const list = itemsOf(menu.current);
    (open === "first" ? list[0] : list.at(-1))?.focus();
  }, [open]);

  // A press anywhere outside closes the menu (the focus stays where the press put it).
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      const t = e.target as Node | null;
      if (t && (menu.current?.contains(t) || button.current?.contains(t))) return;
      setOpen(undefined);
    };
    document.addEventListener("pointerdown", onDown);
    return () => document.removeEventListener("pointerdown", onDown);
  }, [open]);

  if (actions.length === 0) return null;

  const onButtonKey = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === "ArrowDown") {
      e.preventDefault();
      show("first");
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      show("last");
    }
  };

  const onMenuKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const list = itemsOf(menu.current);
    const at = list.indexOf(document.activeElement as HTMLElement);
    const go = (i: number) => {
      e.preventDefault();
      list[(i + list.length) % list.length]?.focus();
    };
    if (e.key === "ArrowDown") go(at + 1);
    else if (e.key === "ArrowUp") go(at - 1);
    else if (e.key === "Home") go(0);
    else if (e.key === "End") go(list.length - 1);
    else if (e.key === "Escape") {
      // The menu closes and the focus goes back to its button. (A second Escape soon after is
      // still the quick exit: that listener is on the window, in the capture phase, on purpose.)
      e.preventDefault();
      close(true);
    } else if (e.key === "Tab") close(false);
  };

  return (
    <div className="msg-menu" data-open={open ? "" : undefined}>
      <button
        ref={button}
        type="button"
        className="msg-menu__button"
        id={`${id}-button`}
        aria-haspopup="menu"
        aria-expanded={open ? true : undefined}
        aria-controls={open ? `${id}-menu` : undefined}
        title="More actions"
        onClick={() => (open ? close(false) : show("first"))}
        onKeyDown={onButtonKey}
      >
        <svg className="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
          <circle cx="5" cy="12" r="2" fill="currentColor" />
          <circle cx="12" cy="12" r="2" fill="currentColor" />
          <circle cx="19" cy="12" r="2" fill="currentColor" />
        </svg>
        <span className="visually-hidden">More actions for {about}</span>
      </button>
      {open ? (
        <div
          ref={menu}
          role="menu"
          id={`${id}-menu`}
          aria-labelledby={`${id}-button`}
          className={`msg-menu__list${upwards ? " msg-menu__list--up" : ""}`}
          onKeyDown={onMenuKey}
        >
          {actions.map((a) => (
            <button
              key={a.label}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className="msg-menu__item"
              onClick={() => {
                close(false);
                a.onSelect();
              }}
            >
              {a.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
