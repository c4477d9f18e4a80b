// The record form: reads itself back into the record's data (data-t / data-key, see
// templates/_fields.html), checks as the clerk types, saves with the version it was opened
// at, puts every problem beside its field, and asks before leaving unsaved edits.
(function () {
  "use strict";
  const form = document.getElementById("record");
  if (!form) return;
  const root = form.querySelector("[data-root] > [data-t]");
  const kind = form.dataset.kind;
  const statusEl = form.querySelector("[data-status]");
  const general = form.querySelector("[data-general]");
  let version = form.dataset.version || null;
  let dirty = form.hasAttribute("data-dirty");
  let timer = null;
  let checking = 0;

  const recordId = () => {
    const input = form.querySelector("[data-record-id]");
    return input ? input.value.trim() : form.dataset.id;
  };

  // Direct [data-t] children of a container: those whose nearest [data-t] ancestor it is.
  function parts(el) {
    return Array.from(el.querySelectorAll("[data-t]")).filter((c) => c.parentElement.closest("[data-t]") === el);
  }

  function valueOf(el) {
    switch (el.dataset.t) {
      case "group": {
        const out = {};
        for (const child of parts(el)) {
          const v = valueOf(child);
          if (v !== undefined) out[child.dataset.key] = v;
        }
        // an optional group left empty (a planned stage's dates) is left out, not sent as ""
        return el.hasAttribute("data-optional") && isEmpty(out) ? undefined : out;
      }
      case "list": {
        const items = parts(el).map((item) => valueOf(parts(item)[0]));
        return items.length === 0 && el.hasAttribute("data-optional") ? undefined : items;
      }
      case "map": {
        const out = {};
        for (const entry of parts(el)) out[entry.querySelector("[data-mapkey]").value.trim()] = valueOf(parts(entry)[0]);
        return Object.keys(out).length === 0 ? undefined : out;
      }
      case "choice": {
        const tag = el.querySelector(":scope > label [data-variant]").value;
        const body = el.querySelector(`:scope > [data-variant-body="${tag}"]`);
        return valueOf(parts(el).find((p) => body.contains(p)));
      }
      case "scalar": {
        const v = el.querySelector("[data-input]").value;
        return v === "" && el.hasAttribute("data-optional") ? undefined : v;
      }
    }
    return undefined;
  }

  const isEmpty = (v) => v === undefined || v === "" ||
    (typeof v === "object" && Object.values(v).every(isEmpty));

  // The field path of an element, written as dokgen writes it: parties[1].party
  function pathOf(el) {
    const segs = [];
    for (let cur = el; cur && cur !== root; cur = cur.parentElement.closest("[data-t]")) {
      const t = cur.dataset.t;
      if (t === "item") segs.unshift(Array.prototype.indexOf.call(cur.parentElement.children, cur));
      else if (t === "entry") segs.unshift(cur.querySelector("[data-mapkey]").value.trim());
      else if (cur.dataset.key) segs.unshift(cur.dataset.key);  // list items and variants carry no key
    }
    let out = "";
    for (const s of segs) out += typeof s === "number" ? `[${s}]` : out ? `.${s}` : s;
    return out;
  }

  function clearProblems() {
    for (const m of form.querySelectorAll("[data-msg], [data-warn]")) { m.textContent = ""; }
    for (const f of form.querySelectorAll("[aria-invalid]")) f.removeAttribute("aria-invalid");
    general.hidden = true;
    general.querySelector("ul").replaceChildren();
  }

  function showProblems(problems, warnings) {
    clearProblems();
    for (const w of warnings || []) place(w, true);
    for (const p of problems) place(p, false);
  }

  function place(problem, warning) {
    const byPath = new Map();
    for (const el of [root, ...root.querySelectorAll("[data-t]")]) {
      if (el.dataset.t === "item" || el.dataset.t === "entry") continue;
      const p = pathOf(el);
      if (!byPath.has(p)) byPath.set(p, el);
    }
    {
      let target = null;
      if (problem.field === "id") target = form.querySelector('[data-t="id"]');
      for (let p = problem.field; target === null; ) {
        if (byPath.has(p) && p !== "") { target = byPath.get(p); break; }
        const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
        if (cut <= 0) break;
        p = p.slice(0, cut);
      }
      if (target) {
        const msg = target.querySelector(warning ? ":scope > [data-warn]" : ":scope > [data-msg]");
        msg.textContent = msg.textContent ? `${msg.textContent} · ${problem.message}` : problem.message;
        const input = target.querySelector(":scope > label > [data-input], :scope > label > [data-record-id]");
        if (input && !warning) input.setAttribute("aria-invalid", "true");
      } else if (!warning) {
        const li = document.createElement("li");
        li.textContent = problem.field ? `${problem.field}: ${problem.message}` : problem.message;
        general.querySelector("ul").append(li);
        general.hidden = false;
      }
    }
  }

  async function send(method, url, body) {
    const response = await fetch(url, {
      method, credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    let json = {};
    try { json = await response.json(); } catch (e) { /* an HTML error page */ }
    return [response.status, json];
  }

  const say = (text, cls) => { statusEl.textContent = text; statusEl.className = `status ${cls || ""}`; };

  async function check() {
    const id = recordId();
    if (!id) return;
    const mine = ++checking;
    const [status, json] = await send("POST", `/api/records/${kind}/${encodeURIComponent(id)}/check`,
      { data: valueOf(root), new: form.hasAttribute("data-new") });
    if (mine !== checking || status !== 200) return;  // a later check is on its way
    showProblems(json.problems, json.warnings);
    say(json.problems.length ? `${json.problems.length} isian perlu diperbaiki` : (dirty ? "Belum disimpan" : ""), json.problems.length ? "bad" : "");
  }

  function changed() {
    dirty = true;
    say("Belum disimpan");
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  }

  async function save(overwrite) {
    clearTimeout(timer);
    checking++;
    form.removeAttribute("data-save-result");
    say("Menyimpan…");
    const data = valueOf(root);
    let status, json;
    if (form.hasAttribute("data-new")) {
      const body = { id: recordId(), data };
      if (form.dataset.copyOf) body.copy_of = form.dataset.copyOf;
      [status, json] = await send("POST", `/api/records/${kind}`, body);
    } else {
      if (overwrite) {
        const [, current] = await send("GET", `/api/records/${kind}/${encodeURIComponent(recordId())}`);
        version = current.version;
      }
      [status, json] = await send("PUT", `/api/records/${kind}/${encodeURIComponent(recordId())}`, { data, version });
    }
    form.querySelector("[data-conflict]").hidden = status !== 409;
    form.setAttribute("data-save-result", String(status));  // for scripts and tests: the last save's HTTP status
    if (status === 200 || status === 201) {
      dirty = false;
      showProblems([]);
      version = json.version;
      say("Tersimpan", "good");
      if (status === 201) window.location.assign(`/records/${kind}/${encodeURIComponent(json.id)}`);
    } else if (status === 422) {
      showProblems(json.problems || []);
      say("Belum disimpan: perbaiki isian yang ditandai. Isian Anda tetap tersimpan sebagai draf.", "bad");
    } else if (status === 409) {
      say(json.error || "Rekaman ini sudah ada atau baru diubah orang lain.", "bad");
    } else {
      say(json.error || `Gagal menyimpan (${status}).`, "bad");
    }
  }

  // --- repeatable groups, variants, dates ------------------------------------------------
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const item = button.closest("[data-t=item], [data-t=entry]");
    if (button.hasAttribute("data-add")) {
      const list = button.closest("[data-t]");
      const tpl = list.querySelector(":scope > template");
      const clone = tpl.content.firstElementChild.cloneNode(true);
      list.querySelector(":scope > [data-items]").append(clone);
      const first = clone.querySelector("input, select, textarea");
      if (first) first.focus();
    } else if (button.hasAttribute("data-remove") && item) item.remove();
    else if (button.hasAttribute("data-up") && item && item.previousElementSibling) item.previousElementSibling.before(item);
    else if (button.hasAttribute("data-down") && item && item.nextElementSibling) item.nextElementSibling.after(item);
    else if (button.hasAttribute("data-use-draft")) { dirty = false; window.location.assign(`${location.pathname}?draf=1${location.search.replace("?", "&")}`); return; }
    else if (button.hasAttribute("data-discard-draft")) { discardDraft(); return; }
    else if (button.hasAttribute("data-reload")) { dirty = false; window.location.reload(); return; }
    else if (button.hasAttribute("data-overwrite")) { save(true); return; }
    else return;
    changed();
  });

  async function discardDraft() {
    await send("DELETE", `/api/drafts/${kind}/${encodeURIComponent(recordId())}`);
    dirty = false;
    window.location.assign(location.pathname + location.search.replace(/[?&]draf=1/, ""));
  }

  form.addEventListener("change", (event) => {
    const variant = event.target.closest("[data-variant]");
    if (variant) {
      const choice = variant.closest("[data-t=choice]");
      for (const body of choice.querySelectorAll(":scope > [data-variant-body]")) body.hidden = body.dataset.variantBody !== variant.value;
      changed();
    }
  });

  const dateFormat = new Intl.DateTimeFormat("id-ID", { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  form.addEventListener("input", (event) => {
    const input = event.target;
    if (input.hasAttribute("data-date")) {
      const hint = input.closest("[data-t]").querySelector("[data-date-hint]");
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.value.trim());
      const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
      hint.textContent = d && d.getUTCDate() === +m[3] ? dateFormat.format(d) : "";
    }
    changed();
  });

  form.addEventListener("submit", (event) => { event.preventDefault(); save(false); });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(false); }
  });
  window.addEventListener("beforeunload", (event) => {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });

  const initial = JSON.parse(document.getElementById("initial-problems").textContent);
  if (initial.length) showProblems(initial);
  if (dirty) check();
})();
