import fc from "fast-check";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Name, Names } from "../../apps/web/src/components/names.tsx";
import { Page } from "../../apps/web/src/components/page.tsx";
import { ChatTitle } from "../../apps/web/src/screens/chat/chat-header.tsx";

const RLO = "\u202E";

/** A member of a conversation summary, as the server lists it. */
function member(userId: string, displayName: string) {
  return { userId, displayName, role: "patient" as const, deviceIds: [], deliveredSeq: 0, readSeq: 0 };
}

describe("names shown isolated (security finding 4, web side)", () => {
  it("wraps a name in <bdi>, whatever it holds", () => {
    expect(renderToStaticMarkup(createElement(Name, null, `${RLO}evil`))).toBe(`<bdi>${RLO}evil</bdi>`);
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), (name) => {
        const html = renderToStaticMarkup(createElement(Name, null, name));
        expect(html.startsWith("<bdi>")).toBe(true);
        expect(html.endsWith("</bdi>")).toBe(true);
        // Nothing of the name leaks outside its isolate.
        expect(html.slice(5, -6)).not.toContain("<");
      }),
    );
  });

  it("keeps the commas between names and the words around them outside the isolates", () => {
    const html = renderToStaticMarkup(
      createElement(Names, { names: [`${RLO}Sky`, "River"], empty: "Nobody" }),
    );
    expect(html).toBe(`<bdi>${RLO}Sky</bdi>, <bdi>River</bdi>`);
    expect(renderToStaticMarkup(createElement(Names, { names: [], empty: "Nobody" }))).toBe("Nobody");
  });

  it("isolates each name in the chat's heading", () => {
    const summary = {
      conversationId: "c1",
      kind: "group",
      members: [member("me", "Me"), member("u2", `${RLO}Rowan`), member("u3", "Sky")],
    } as unknown as Parameters<typeof ChatTitle>[0]["summary"];
    const html = renderToStaticMarkup(
      createElement(Page, {
        title: createElement(ChatTitle, { summary, ownUserId: "me" }),
        documentTitle: "Conversation",
        children: null,
      }),
    );
    expect(html).toContain(`<h1 id="page-heading" tabindex="-1"><bdi>${RLO}Rowan</bdi>, <bdi>Sky</bdi></h1>`);
  });
});
