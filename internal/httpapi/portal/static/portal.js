// Numberdesk portal: the little the pages need beyond HTML forms.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Forms that change something ask first.
  document.querySelectorAll("form[data-confirm]").forEach((f) => {
    f.addEventListener("submit", (e) => { if (!window.confirm(f.dataset.confirm)) e.preventDefault(); });
  });
  // Select all.
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      box.form.querySelectorAll('input[name="' + box.dataset.selectAll + '"]').forEach((c) => { c.checked = box.checked; });
    });
  });
  // Country, type and state reload the Add form (its area codes).
  document.querySelectorAll("[data-autosubmit]").forEach((el) => {
    el.addEventListener("change", () => el.form.submit());
  });
  // The Add form's target travels with the order.
  const target = document.getElementById("target"), orderTarget = document.getElementById("order-target");
  if (target && orderTarget) target.addEventListener("change", () => { orderTarget.value = target.value; });
  // Extension suggestions for the assign boxes.
  const list = document.getElementById("ext-suggest");
  let timer;
  document.querySelectorAll(".ext-input").forEach((input) => {
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const res = await fetch("/extensions/suggest?q=" + encodeURIComponent(input.value), { credentials: "same-origin" });
        if (!res.ok || !list) return;
        list.replaceChildren(...(await res.json()).map((s) => { const o = document.createElement("option"); o.value = s; return o; }));
      }, 150);
    });
  });
  // An open order reloads until it finishes.
  const order = document.getElementById("order-status");
  if (order && order.dataset.refresh) setTimeout(() => window.location.reload(), Number(order.dataset.refresh));
  // The import's progress bar follows the import.
  const imp = document.getElementById("import");
  if (imp) {
    const set = (id, v) => { const el = document.getElementById(id); if (el) el.textContent = v; };
    const poll = async () => {
      const res = await fetch("/imports/" + imp.dataset.import + "/progress", { credentials: "same-origin" });
      if (!res.ok) return setTimeout(poll, 2000);
      const s = await res.json();
      const bar = document.getElementById("import-progress");
      bar.max = Math.max(s.rows_total, 1); bar.value = s.rows_done;
      set("rows-done", s.rows_done); set("rows-total", s.rows_total); set("rows-ok", s.rows_ok);
      set("rows-unchanged", s.rows_unchanged); set("rows-failed", s.rows_failed);
      set("import-pct", s.rows_total ? Math.min(100, Math.floor(s.rows_done * 100 / s.rows_total)) : 0);
      set("rate", Math.round(s.rows_per_second));
      const st = document.getElementById("import-status");
      st.dataset.status = s.status; st.textContent = s.status;
      if (s.rows_failed > 0) document.getElementById("report").hidden = false;
      if (s.status === "queued" || s.status === "running") setTimeout(poll, 300);
    };
    poll();
  }
});
