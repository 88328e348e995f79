// banner is shared by the docs site and the API of the npm workspace.
export function banner(where: string): string {
  return `fixture ui banner for ${where}`;
}
