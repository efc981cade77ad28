import { type ReactElement, type ReactNode, useEffect } from "react";

/** Props of {@link Page}. */
export type PageProps = PageCommonProps &
  (
    | {
        /** The screen's heading, also used in the document title. */
        title: string;
        /** The tab title, when the heading names something private (a person, a conversation). */
        documentTitle?: string;
      }
    | {
        /** A heading with markup (names isolated with `<bdi>`): the tab title must then be given. */
        title: ReactElement;
        documentTitle: string;
      }
  );

/** What every {@link Page} may have besides its title. */
interface PageCommonProps {
  /** Optional content above the heading (e.g. a way back). */
  before?: ReactNode;
  /**
   * Controls on the heading's row (the conversation's compact header): `start` before the heading
   * (the way back), `end` after it (help, exit). With either, the heading sits in a `.page__bar`.
   */
  bar?: { start?: ReactNode; end?: ReactNode };
  /** Extra class on `<main>` (e.g. the chat's full-height layout). */
  className?: string;
  children: ReactNode;
}

/** The id of every screen's `<h1>`; the app moves focus there after navigating. */
export const PAGE_HEADING_ID = "page-heading";

/**
 * A screen: the `<main>` landmark (target of the skip link) with one `<h1>`. The document title
 * names the screen but never a person or a conversation, since tab titles are visible to others.
 */
export function Page({ title, documentTitle, before, bar, className, children }: PageProps) {
  const tabTitle = documentTitle ?? (typeof title === "string" ? title : "Hearth");
  useEffect(() => {
    document.title = `${tabTitle} · Hearth`;
  }, [tabTitle]);
  const heading = (
    <h1 id={PAGE_HEADING_ID} tabIndex={-1}>
      {title}
    </h1>
  );
  return (
    <main id="main" className={className ? `page ${className}` : "page"} tabIndex={-1}>
      {before}
      {bar ? (
        <div className="page__bar">
          {bar.start}
          {heading}
          {bar.end}
        </div>
      ) : (
        heading
      )}
      {children}
    </main>
  );
}
