// Fetches the board and renders it; refreshes every 30 seconds.
async function refresh() {
  const res = await fetch("api/status");
  const { overall, components } = await res.json();
  const badge = document.getElementById("overall");
  badge.textContent = overall;
  badge.className = `badge ${overall}`;
  const list = document.getElementById("components");
  list.replaceChildren(
    ...components.map((c) => {
      const li = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = c.note ? `${c.name} (${c.note})` : c.name;
      const state = document.createElement("span");
      state.textContent = c.state;
      state.className = c.state;
      li.append(name, state);
      return li;
    }),
  );
}
refresh();
setInterval(refresh, 30000);
