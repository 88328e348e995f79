// The npm fixture with a husky prepare script and a patch-package
// postinstall, both devDependencies: the production install must still
// run the patch (ms answers in the patched words) and must not fail on
// husky.
const express = require("express");
const ms = require("ms");

const app = express();
app.get("/", (req, res) => {
  res.type("text").send(`hello from the npm app, up for ${ms(120_000, { long: true })} (NODE_ENV=${process.env.NODE_ENV})\n`);
});

const PORT = process.env.PORT || 5000;
app.listen(PORT, () => console.log(`listening on ${PORT}`));
