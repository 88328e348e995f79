// The API of the pnpm workspace fixture: one route that answers with the
// workspace package's greeting.
const express = require("express");
const { greet } = require("@fixture/greeting");

const app = express();
app.get("/", (req, res) => {
  res.type("text").send(`${greet("api")} (NODE_ENV=${process.env.NODE_ENV})\n`);
});

const port = process.env.PORT || 4000;
app.listen(port, () => console.log(`listening on ${port}`));
