/** A route's work that holds until the test lets it go: the server's capacity, used up. */
export function hold(): { held: Promise<void>; release: () => void } {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  return { held, release };
}
