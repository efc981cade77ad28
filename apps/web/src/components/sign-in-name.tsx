import "./sign-in-name.css";

/**
 * A person's sign-in name, shown the same way on every screen (join, the recovery-key step,
 * Settings), so it reads as the thing to type at sign-in. `undefined` while it loads.
 */
export function SignInName({ login, testId }: { login: string | undefined; testId?: string }) {
  return (
    <strong className="sign-in-name" translate="no" data-testid={testId}>
      {login ?? "…"}
    </strong>
  );
}
