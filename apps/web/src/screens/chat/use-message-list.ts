import { defaultRangeExtractor, type Range, useVirtualizer } from "@tanstack/react-virtual";
import {
  type KeyboardEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import type { ChatMessage, HearthSession } from "../../state/hearth-session.ts";
import { type ChatRow, chatRows, type PlaceAutomatic } from "./chat-rows.ts";

/**
 * The message list's behaviour: the virtualised rows, where it opens (the message asked for, the
 * first unread, or the latest), following the newest message while at the bottom, the read marker,
 * keyboard jumps, and the message opened from search.
 */
export function useMessageList({
  session,
  id,
  loaded,
  readSeq,
  unread,
  focusMessageId,
  onProblem,
  placeAutomatic,
}: {
  session: HearthSession;
  id: string;
  loaded: { list: readonly ChatMessage[]; version: number } | undefined;
  /** The conversation's read marker (undefined until the server's is known, or known unreachable). */
  readSeq: number | undefined;
  /** Messages from others after the read marker, by the server's count (undefined until known). */
  unread: number | undefined;
  /** A message to show first (from search), instead of the first unread or the latest. */
  focusMessageId: string | undefined;
  onProblem: (problem: string) => void;
  /** Places the therapists' automatic replies among the messages (office hours). */
  placeAutomatic?: PlaceAutomatic;
}) {
  const scrollerRef = useRef<HTMLElement>(null);
  const [atBottom, setAtBottom] = useState(true);
  // Whether to keep the newest message in view; a ref so effects of the same commit see changes.
  const follow = useRef(true);
  const setFollow = (v: boolean) => {
    follow.current = v;
    setAtBottom(v);
  };
  // The read marker when the conversation was opened: the "new messages" line stays put after that,
  // until it has done its job (see `dividerGone`).
  const [readAtOpen, setReadAtOpen] = useState<number | undefined>();
  // Everything after the line has been read, and the person has moved on (to the newest message,
  // with the line out of view, or by sending): the line goes, and so does "Jump to first unread".
  const [dividerGone, setDividerGone] = useState(false);
  const initialScrollDone = useRef(false);
  // The message opened from search, marked until the focus leaves it.
  const [found, setFound] = useState<string | undefined>();
  const lastMarked = useRef(0);

  useEffect(() => {
    if (readSeq !== undefined && readAtOpen === undefined) setReadAtOpen(readSeq);
  }, [readSeq, readAtOpen]);

  const list = loaded?.list;
  const version = loaded?.version ?? 0;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `version` changes whenever a message in the list changes in place.
  const rows = useMemo<ChatRow[]>(
    () => chatRows(list ?? [], dividerGone ? undefined : readAtOpen, placeAutomatic),
    [list, version, readAtOpen, dividerGone, placeAutomatic],
  );
  const unreadIndex = rows.findIndex((r) => r.kind === "unread");
  // Read up to the newest message from someone else (the read marker moves as messages are seen).
  let latestOther = 0;
  for (const m of list ?? []) if (!m.own && m.seq !== undefined && m.seq > latestOther) latestOther = m.seq;
  const allRead = readSeq !== undefined && readSeq >= latestOther;

  // A voice note that is playing stays mounted while the person scrolls away (else it would stop).
  const [playing, setPlaying] = useState<string | undefined>();
  const onPlaying = useCallback(
    (messageId: string, on: boolean) => setPlaying((p) => (on ? messageId : p === messageId ? undefined : p)),
    [],
  );
  const playingIndex = playing ? rows.findIndex((r) => r.key === playing) : -1;
  const rangeExtractor = useCallback(
    (range: Range) => {
      const shown = defaultRangeExtractor(range);
      if (playingIndex < 0 || shown.includes(playingIndex)) return shown;
      return [...shown, playingIndex].sort((a, b) => a - b);
    },
    [playingIndex],
  );

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollerRef.current,
    estimateSize: () => 76,
    overscan: 10,
    getItemKey: (i) => rows[i]?.key ?? i,
    rangeExtractor,
  });

  const focusIndex = focusMessageId ? rows.findIndex((r) => r.key === focusMessageId) : -1;

  // Opened before the first unread message reached this device (a new device still receiving its
  // history): the list waits for it where it is, without following or reading what arrives first,
  // so the person still lands on the first unread message and nothing is marked read unseen. The
  // server's count only includes messages (never deleted ones) from others, each of which becomes a
  // row here once it arrives, decrypted or not; the person scrolling or sending ends the wait.
  const awaitingUnread = !focusMessageId && unreadIndex < 0 && (unread ?? 0) > 0;

  // First view: at the message asked for (search), else at the first unread one, else the latest.
  useLayoutEffect(() => {
    if (initialScrollDone.current || !loaded || readAtOpen === undefined) return;
    if (awaitingUnread) return;
    // Opened empty: there is nowhere to go, and what arrives next is followed (and read) as it comes.
    if (rows.length === 0 && !focusMessageId) {
      initialScrollDone.current = true;
      return;
    }
    if (rows.length === 0) return;
    initialScrollDone.current = true;
    if (focusMessageId) {
      // Used once: the message id leaves the address (a reload opens the conversation as usual).
      history.replaceState(null, "", location.pathname);
      if (focusIndex < 0) onProblem("That message isn't here any more. It may have been deleted.");
    }
    if (focusIndex >= 0) {
      follow.current = false;
      setAtBottom(false);
      virtualizer.scrollToIndex(focusIndex, { align: "center" });
      setFound(focusMessageId);
    } else if (unreadIndex >= 0) {
      follow.current = false;
      setAtBottom(false);
      virtualizer.scrollToIndex(unreadIndex, { align: "start" });
    } else virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
  }, [
    loaded,
    readAtOpen,
    awaitingUnread,
    rows.length,
    unreadIndex,
    focusIndex,
    focusMessageId,
    virtualizer,
    onProblem,
  ]);

  // The message found by search takes the focus once it is drawn, so a screen reader reads it and
  // the keyboard starts there; it stays marked until the focus moves on.
  useEffect(() => {
    if (!found) return;
    const frame = requestAnimationFrame(() => {
      scrollerRef.current
        ?.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(found)}"]`)
        ?.focus({ preventScroll: true });
    });
    return () => cancelAnimationFrame(frame);
  }, [found]);

  // A bubble grew (an image loaded, a viewer opened): keep the newest message in view if following.
  const rowCount = useRef(0);
  rowCount.current = rows.length;
  const onResize = useCallback(() => {
    // Not while the first view waits to be placed (see `awaitingUnread`): that would go to the latest.
    if (initialScrollDone.current && follow.current && rowCount.current > 0) {
      virtualizer.scrollToIndex(rowCount.current - 1, { align: "end" });
    }
  }, [virtualizer]);

  // The list's own box changed height (the composer grew or shrank, a link preview came or went,
  // the phone's keyboard opened): stay at the newest message if following.
  useEffect(() => {
    const el = scrollerRef.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    let height = el.clientHeight;
    const observer = new ResizeObserver(() => {
      if (el.clientHeight === height) return;
      height = el.clientHeight;
      onResize();
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [onResize]);

  // Keep following the conversation while at the bottom: a new message, or the last one growing
  // (its Reply and Delete appear once the server has it; a preview or an image came in).
  const lastKey = rows.at(-1)?.key;
  const totalSize = virtualizer.getTotalSize();
  // biome-ignore lint/correctness/useExhaustiveDependencies: `totalSize` changes when a row's measured height does.
  useLayoutEffect(() => {
    if (!initialScrollDone.current || !follow.current || rows.length === 0 || !lastKey) return;
    virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
  }, [lastKey, rows.length, totalSize, virtualizer]);

  const items = virtualizer.getVirtualItems();
  const range = virtualizer.range;

  // What is on screen has been seen: move the read marker (the SDK batches and clamps). Not before
  // the first view is placed: what shows while waiting for the first unread message is not it.
  useEffect(() => {
    if (!range || document.visibilityState !== "visible" || !initialScrollDone.current) return;
    let max = 0;
    for (let i = range.startIndex; i <= range.endIndex; i++) {
      const r = rows[i];
      if (r?.kind === "message" && r.m.seq !== undefined && !r.m.own) max = Math.max(max, r.m.seq);
    }
    if (max > lastMarked.current) {
      lastMarked.current = max;
      session.markRead(id, max);
    }
  });

  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === "visible") lastMarked.current = 0;
    };
    document.addEventListener("visibilitychange", onVisible);
    return () => document.removeEventListener("visibilitychange", onVisible);
  }, []);

  const onScroll = () => {
    const el = scrollerRef.current;
    if (!el) return;
    // Nothing scrolls the list while it waits for the first unread message (neither following nor
    // a resize does): the person did.
    if (!initialScrollDone.current && el.scrollTop > 0) initialScrollDone.current = true;
    setFollow(el.scrollHeight - el.scrollTop - el.clientHeight < 96);
  };

  // Home and End jump through the whole (virtual) list; arrows and Page keys scroll natively.
  const onListKey = (e: KeyboardEvent<HTMLElement>) => {
    if (e.target !== e.currentTarget || e.altKey || e.metaKey || e.shiftKey || rows.length === 0) return;
    if (e.key === "Home") {
      e.preventDefault();
      setFollow(false);
      virtualizer.scrollToIndex(0, { align: "start" });
    } else if (e.key === "End") {
      e.preventDefault();
      setFollow(true);
      virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
    }
  };

  // A control that goes away once used (a jump, Delete) hands the focus to the list, not the page.
  const focusList = () => requestAnimationFrame(() => scrollerRef.current?.focus({ preventScroll: true }));

  const jumpToUnread = () => {
    setFollow(false);
    virtualizer.scrollToIndex(unreadIndex, { align: "start" });
    focusList();
  };
  const jumpToLatest = () => {
    setFollow(true);
    virtualizer.scrollToIndex(rows.length - 1, { align: "end" });
    focusList();
  };

  // Everything fits on screen: there is no "latest" to jump to.
  const el = scrollerRef.current;
  const canScroll = el !== null && el.scrollHeight - el.scrollTop - el.clientHeight > 1;
  const unreadVisible =
    unreadIndex >= 0 && range !== null && unreadIndex >= range.startIndex && unreadIndex <= range.endIndex;

  // Everything read, the newest message in view and the line scrolled away: the line has done its
  // job. (At the bottom the list follows the newest message, so taking a row out moves nothing.)
  useEffect(() => {
    if (!dividerGone && unreadIndex >= 0 && allRead && atBottom && !unreadVisible) setDividerGone(true);
  }, [dividerGone, unreadIndex, allRead, atBottom, unreadVisible]);

  return {
    scrollerRef,
    rows,
    items,
    totalSize,
    measureElement: virtualizer.measureElement,
    found,
    setFound,
    onScroll,
    onListKey,
    onResize,
    onPlaying,
    focusList,
    /** Keep the newest message in view from now on (a message is being sent: the line goes too). */
    followLatest: () => {
      initialScrollDone.current = true;
      setFollow(true);
      setDividerGone(true);
    },
    /** "Jump to first unread": shown while the line is off screen and something is still unread. */
    canJumpToUnread: unreadIndex >= 0 && !unreadVisible && !allRead,
    jumpToUnread,
    /** "Jump to latest": shown while away from the bottom of a list longer than the screen. */
    canJumpToLatest: !atBottom && rows.length > 0 && canScroll,
    jumpToLatest,
  };
}

/** What {@link useMessageList} gives the list it draws. */
export type MessageListState = ReturnType<typeof useMessageList>;
