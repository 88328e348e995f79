import ms from "ms";

// greet is the answer of the fixture's API: it proves that the workspace
// package was compiled by its own build (dist/ is not in the sources) and
// that its own dependency (ms) was installed for it.
export function greet(name: string): string {
  return `hello ${name} from the pnpm workspace, built ${ms(90_000, { long: true })} ago`;
}
