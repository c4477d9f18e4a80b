// Preview pages (templates/preview.html, _preview.html beside a form): ask every two seconds
// whether the saved record's document changed (its input key, "version"); when it did, load the
// new pages. Beside a form, unsaved data that checks clean is previewed too, once the clerk has
// stopped typing for about a second (form.js sends "dokgen:clean"); the server keeps those pages
// by their input key and writes nothing. Nothing is converted while the record stays the same.
(function () {
  "use strict";
  const box = document.querySelector("[data-preview]");
  if (!box) return;
  const status = document.querySelector("[data-preview-status]");
  const kind = box.dataset.kind, id = encodeURIComponent(box.dataset.id);
  const IDLE_MS = 600;  // after form.js's own 400 ms pause: about a second without typing
  let busy = false, idle = null, asked = 0;

  const time = () => new Date().toLocaleTimeString("id-ID");

  function show(pages, source) {
    const images = [];
    for (let n = 1; n <= pages; n++) {
      const img = document.createElement("img");
      img.src = source(n);
      img.alt = `Halaman ${n}`;
      img.width = 800;
      img.dataset.page = String(n);
      images.push(img);
    }
    box.replaceChildren(...images);
  }

  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(`/preview/${kind}/${id}/pages`, { headers: { Accept: "application/json" } });
      const json = await response.json();
      if (!response.ok) { status.textContent = json.error || `Pratinjau gagal (${response.status})`; return; }
      if (json.version === box.dataset.version) return;  // saved record unchanged (unsaved pages may be shown)
      box.dataset.version = json.version;
      delete box.dataset.candidate;
      if (kind === "press") {
        box.querySelector("[data-press]").src = `/preview/press/${id}.html?v=${json.version}`;
      } else {
        show(json.pages, (n) => `/preview/${kind}/${id}/${n}.png?v=${json.version}`);
      }
      status.textContent = "Diperbarui " + time();
    } catch (error) {
      status.textContent = "Pratinjau gagal: " + error;
    } finally {
      busy = false;
    }
  }

  async function candidate(data) {
    const mine = ++asked;
    try {
      const response = await fetch(`/preview/${kind}/${id}/candidate`, {
        method: "POST", body: JSON.stringify({ data }),
        headers: { "Content-Type": "application/json", Accept: "application/json" },
      });
      const json = await response.json();
      if (mine !== asked || !response.ok) return;  // newer typing, or problems the form already shows
      if (json.key === box.dataset.candidate) return;
      box.dataset.candidate = json.key;
      show(json.pages, (n) => `/preview/${kind}/${id}/${n}.png?key=${json.key}`);
      status.textContent = "Isian belum disimpan, dipratinjau " + time();
    } catch (error) {
      status.textContent = "Pratinjau gagal: " + error;
    }
  }

  if (kind !== "press") {
    document.addEventListener("dokgen:clean", (event) => {
      clearTimeout(idle);
      idle = setTimeout(() => candidate(event.detail.data), IDLE_MS);
    });
    document.addEventListener("input", () => clearTimeout(idle));  // still typing
  }
  refresh();
  setInterval(refresh, 2000);
  document.addEventListener("visibilitychange", refresh);
})();
