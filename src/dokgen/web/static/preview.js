// Preview pages (templates/preview.html): ask every two seconds whether the record's document
// changed (its input key, "version"); when it did, load the new pages. Nothing is converted
// while the record stays the same: the server answers from its cache.
(function () {
  "use strict";
  const box = document.querySelector("[data-preview]");
  if (!box) return;
  const status = document.querySelector("[data-preview-status]");
  const kind = box.dataset.kind, id = encodeURIComponent(box.dataset.id);
  let busy = false;

  async function refresh() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(`/preview/${kind}/${id}/pages`, { headers: { Accept: "application/json" } });
      const json = await response.json();
      if (!response.ok) { status.textContent = json.error || `Pratinjau gagal (${response.status})`; return; }
      if (json.version === box.dataset.version) return;
      box.dataset.version = json.version;
      if (kind === "press") {
        box.querySelector("[data-press]").src = `/preview/press/${id}.html?v=${json.version}`;
      } else {
        const images = [];
        for (let n = 1; n <= json.pages; n++) {
          const img = document.createElement("img");
          img.src = `/preview/${kind}/${id}/${n}.png?v=${json.version}`;
          img.alt = `Halaman ${n}`;
          img.width = 800;
          img.dataset.page = String(n);
          images.push(img);
        }
        box.replaceChildren(...images);
      }
      status.textContent = "Diperbarui " + new Date().toLocaleTimeString("id-ID");
    } catch (error) {
      status.textContent = "Pratinjau gagal: " + error;
    } finally {
      busy = false;
    }
  }
  refresh();
  setInterval(refresh, 2000);
  document.addEventListener("visibilitychange", refresh);
})();
