// Rendered on each request, so the answer proves the server runs (not a
// prerendered file) and where.
export const dynamic = "force-dynamic";

export default function Home() {
  return (
    <main>
      <h1>Hello from the Next.js standalone fixture</h1>
      <p>
        Rendered by node {process.version} with NODE_ENV={process.env.NODE_ENV}
      </p>
      <img src="/logo.svg" alt="logo" width="32" height="32" />
    </main>
  );
}
