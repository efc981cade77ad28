import { useId } from "react";
import { Link } from "../components/link.tsx";
import { Page } from "../components/page.tsx";
import { PreviewForm } from "../components/preview-form.tsx";

/** One conversation (placeholder: layout, message log landmark and composer). */
export function ChatScreen({ id }: { id: string }) {
  const composerId = useId();
  return (
    <Page
      title="Example conversation"
      documentTitle="Conversation"
      before={
        <Link to="/conversations" className="back-link">
          ← All conversations
        </Link>
      }
    >
      <section className="chat">
        <div className="chat__log" role="log" aria-live="polite" aria-label="Messages" data-conversation={id}>
          <p className="chat__empty">No messages yet. Say hello when you're ready.</p>
        </div>
        <PreviewForm label="Write a message" submitLabel="Send">
          <div className="field">
            <label htmlFor={composerId}>Message</label>
            <textarea id={composerId} name="message" rows={3} />
          </div>
        </PreviewForm>
      </section>
    </Page>
  );
}
