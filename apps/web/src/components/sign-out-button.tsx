import { navigate } from "../router/router.ts";
import { useSession } from "../session/session-context.tsx";

/** "Sign out of this device": ends the session, erases this device's data, back to the start. */
export function SignOutButton() {
  const { signOut } = useSession();
  return (
    <button
      type="button"
      className="button button--quiet"
      onClick={async () => {
        await signOut();
        navigate("/");
      }}
    >
      Sign out of this device
    </button>
  );
}
