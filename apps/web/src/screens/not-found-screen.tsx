import { Link } from "../components/link.tsx";
import { Page } from "../components/page.tsx";

/** An unknown path. */
export function NotFoundScreen() {
  return (
    <Page title="Page not found">
      <p>
        There's nothing here. <Link to="/">Go to the start</Link>.
      </p>
    </Page>
  );
}
