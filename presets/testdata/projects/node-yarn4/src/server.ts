import { serve } from "@hono/node-server";
import { Hono } from "hono";

// The Yarn 4 fixture: a TypeScript server compiled by tsc (dist/ is not
// in the sources) and run by plain node with a node_modules tree, though
// the project leaves Yarn at its default linker, Plug'n'Play.
const app = new Hono();
app.get("/", (c) => c.text(`hello from the yarn 4 app on node ${process.version} (NODE_ENV=${process.env.NODE_ENV})\n`));

const port = Number(process.env.PORT ?? 8787);
serve({ fetch: app.fetch, port }, () => console.log(`listening on ${port}`));
