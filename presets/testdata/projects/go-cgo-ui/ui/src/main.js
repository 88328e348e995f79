const list = document.getElementById("notes");

async function load() {
  const notes = await (await fetch("api/notes")).json();
  list.replaceChildren(...notes.map((n) => Object.assign(document.createElement("li"), { textContent: n.text })));
}

console.log("notes ui, built with", __BUILT_WITH__);
load();
