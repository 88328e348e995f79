import { createServer } from "node:http";
import { banner } from "@fixture/ui";

// A server with no dependency outside the workspace.
const port = process.env.PORT || 3100;
createServer((req, res) => res.end(banner("the api") + "\n")).listen(port);
