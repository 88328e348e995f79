import { banner } from "@fixture/ui";

document.getElementById("banner").textContent = banner("the docs site");
