// Generous: the machine may be busy with other suites; nothing here measures speed.
const PATIENCE = 30_000;

/** Polls every 5 ms until `check` holds; fails after 30 s, naming `what` it waited for. */
export async function waitFor(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + PATIENCE;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
