// kvarter dashboard: progressive enhancement. Every page works without this script; each
// feature below is switched on by a data attribute in the server-rendered HTML.
//   svg[data-zoom]            zoom (wheel, buttons, + / - / 0 keys) and pan (drag, arrow keys)
//   svg [data-tip]            tooltip on hover and keyboard focus (empty: the <title> child)
//   table[data-sortable]      sort by a column header (th[data-nosort] is left alone)
//   input[data-filter=ID]     filter the rows of table#ID; count in [data-filter-count=ID]
//   select[data-map-filter]   dim map shapes without the chosen class
//   form[data-autosubmit]     submit when one of its selects changes
//   button[data-print]        shown, and prints the page (no inline handler: the CSP allows none)
'use strict';

(() => {
  const danish = (document.documentElement.lang || '').toLowerCase().startsWith('da');
  const T = danish
    ? { in: 'Zoom ind', out: 'Zoom ud', reset: 'Nulstil' }
    : { in: 'Zoom in', out: 'Zoom out', reset: 'Reset' };

  // ---- Zoom and pan, by changing the viewBox --------------------------------------------
  function setupZoom(svg) {
    const vb0 = svg.viewBox.baseVal;
    const home = { x: vb0.x, y: vb0.y, w: vb0.width, h: vb0.height };
    if (!home.w || !home.h) return;
    let view = { ...home };

    const apply = (v) => {
      // Zoom between 1x and 40x; keep the centre of the view over the original box.
      const w = Math.min(home.w, Math.max(home.w / 40, v.w));
      const h = w * home.h / home.w;
      const cx = Math.min(home.x + home.w, Math.max(home.x, v.x + v.w / 2));
      const cy = Math.min(home.y + home.h, Math.max(home.y, v.y + v.h / 2));
      view = { x: cx - w / 2, y: cy - h / 2, w, h };
      if (w >= home.w) view = { ...home };
      svg.setAttribute('viewBox', `${view.x} ${view.y} ${view.w} ${view.h}`);
      svg.classList.toggle('zoomed', view.w < home.w);
    };
    // Zoom by `factor` (>1 = in) keeping the point (px, py) in SVG units where it is.
    const zoom = (factor, px = view.x + view.w / 2, py = view.y + view.h / 2) => {
      const w = view.w / factor, h = view.h / factor;
      apply({ x: px - (px - view.x) / factor, y: py - (py - view.y) / factor, w, h });
    };
    const toSvg = (clientX, clientY) => {
      const m = svg.getScreenCTM();
      if (!m) return null;
      const p = new DOMPoint(clientX, clientY).matrixTransform(m.inverse());
      return { x: p.x, y: p.y };
    };
    const unitsPerPx = () => { const m = svg.getScreenCTM(); return m ? 1 / m.a : 1; };

    // Buttons, just before the svg.
    const bar = document.createElement('div');
    bar.className = 'zoom-controls';
    for (const [text, label, act] of [
      ['+', T.in, () => zoom(1.5)],
      ['−', T.out, () => zoom(1 / 1.5)],
      ['⟲', T.reset, () => apply(home)],
    ]) {
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = text;
      b.setAttribute('aria-label', label);
      b.title = label;
      b.addEventListener('click', act);
      bar.append(b);
    }
    svg.before(bar);

    svg.addEventListener('wheel', (e) => {
      e.preventDefault();
      const p = toSvg(e.clientX, e.clientY);
      if (p) zoom(e.deltaY < 0 ? 1.25 : 0.8, p.x, p.y);
    }, { passive: false });

    // Drag to pan. Capture the pointer only once it has moved, so clicks on links still work.
    let drag = null, moved = false;
    svg.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      drag = { id: e.pointerId, x: e.clientX, y: e.clientY, view: { ...view }, k: unitsPerPx() };
      moved = false;
    });
    svg.addEventListener('pointermove', (e) => {
      if (!drag || e.pointerId !== drag.id) return;
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!moved && Math.hypot(dx, dy) < 4) return;
      if (!moved) { moved = true; svg.setPointerCapture(e.pointerId); svg.classList.add('dragging'); }
      apply({ ...drag.view, x: drag.view.x - dx * drag.k, y: drag.view.y - dy * drag.k });
    });
    const end = () => { drag = null; svg.classList.remove('dragging'); };
    svg.addEventListener('pointerup', end);
    svg.addEventListener('pointercancel', end);
    // A drag that ends on a link is not a click on it.
    svg.addEventListener('click', (e) => { if (moved) { e.preventDefault(); moved = false; } }, true);

    // Keyboard, when the map or a shape in it has focus.
    if (!svg.hasAttribute('tabindex')) svg.tabIndex = 0;
    svg.addEventListener('keydown', (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const step = 0.1;
      const pans = {
        ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step],
      };
      if (e.key === '+' || e.key === '=') zoom(1.5);
      else if (e.key === '-' || e.key === '_') zoom(1 / 1.5);
      else if (e.key === '0') apply(home);
      else if (pans[e.key]) {
        const [fx, fy] = pans[e.key];
        apply({ ...view, x: view.x + fx * view.w, y: view.y + fy * view.h });
      } else return;
      e.preventDefault();
    });
  }

  // ---- Tooltips: one floating div for the page ------------------------------------------
  const tip = document.createElement('div');
  tip.className = 'tooltip';
  tip.id = 'kv-tooltip';
  tip.setAttribute('role', 'tooltip');
  tip.hidden = true;
  let tipOwner = null;

  function showTip(el, x, y) {
    if (!tip.isConnected) document.body.append(tip);
    if (tipOwner !== el) {
      hideTip();
      tipOwner = el;
      el.setAttribute('aria-describedby', tip.id);
      // A map's shapes carry their text once, in <title>; an empty data-tip points there.
      const title = el.querySelector(':scope > title');
      tip.textContent = el.getAttribute('data-tip') || (title ? title.textContent : '');
      tip.hidden = false;
    }
    // Below right of the point, or flipped where the window has no room.
    const pad = 12, w = tip.offsetWidth, h = tip.offsetHeight;
    const left = x + pad + w > innerWidth ? Math.max(4, x - pad - w) : x + pad;
    const top = y + pad + h > innerHeight ? Math.max(4, y - pad - h) : y + pad;
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  }
  function hideTip() {
    tip.hidden = true;
    if (tipOwner) tipOwner.removeAttribute('aria-describedby');
    tipOwner = null;
  }
  const tipTarget = (node) => (node instanceof Element ? node.closest('svg [data-tip]') : null);

  document.addEventListener('pointermove', (e) => {
    const el = tipTarget(e.target);
    if (el && e.pointerType !== 'touch') showTip(el, e.clientX, e.clientY);
    else if (tipOwner && !el) hideTip();
  });
  document.addEventListener('pointerout', (e) => { if (!e.relatedTarget) hideTip(); });
  document.addEventListener('focusin', (e) => {
    // A focused shape or marker carries the tip itself; a focused link wraps its shape.
    const t = e.target;
    const el = tipTarget(t) || (t instanceof Element && t.matches('svg a') ? t.querySelector('[data-tip]') : null);
    if (!el) return;
    const r = el.getBoundingClientRect();
    showTip(el, r.left + r.width / 2, r.top + r.height / 2);
  });
  document.addEventListener('focusout', hideTip);
  document.addEventListener('keydown', (e) => { if (e.key === 'Escape') hideTip(); });
  addEventListener('scroll', hideTip, { passive: true });

  // ---- Sortable tables ------------------------------------------------------------------
  const collator = new Intl.Collator('da', { numeric: true, sensitivity: 'base' });

  // { n } for a number, { s } for text; `empty` (no cell, or blank) sorts last either way.
  function sortKey(cell) {
    if (!cell) return { s: '', empty: true };
    const raw = cell.getAttribute('data-sort');
    const s = (raw !== null ? raw : cell.textContent).trim();
    const n = Number(s);
    if (raw !== null && s !== '' && Number.isFinite(n)) return { n, empty: false };
    return { s, empty: s === '' };
  }
  function compare(a, b) {
    if ('n' in a && 'n' in b) return a.n - b.n;
    if ('n' in a) return -1;          // numbers before text
    if ('n' in b) return 1;
    return collator.compare(a.s, b.s);
  }

  function setupSortable(table) {
    const head = table.tHead ? table.tHead.rows[0] : table.rows[0];
    if (!head) return;
    for (const th of head.cells) {
      if (th.tagName !== 'TH' || th.hasAttribute('data-nosort')) continue;
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'sort';
      button.append(...th.childNodes);
      th.append(button);
      button.addEventListener('click', () => {
        const dir = th.getAttribute('aria-sort') === 'ascending' ? 'descending' : 'ascending';
        for (const other of head.cells) other.removeAttribute('aria-sort');
        th.setAttribute('aria-sort', dir);
        const col = th.cellIndex, sign = dir === 'ascending' ? 1 : -1;
        for (const body of table.tBodies) {
          const rows = [...body.rows].map((row) => ({ row, key: sortKey(row.cells[col]) }));
          // Empty cells last in both directions; the sort is stable for equal keys.
          rows.sort((a, b) => (Number(a.key.empty) - Number(b.key.empty)) ||
            (a.key.empty ? 0 : sign * compare(a.key, b.key)));
          body.append(...rows.map((r) => r.row));
        }
      });
    }
  }

  // ---- Text filter for table rows -------------------------------------------------------
  function setupFilter(input) {
    const id = input.getAttribute('data-filter');
    const run = () => {
      const table = document.getElementById(id);
      if (!table) return;
      const q = input.value.trim().toLocaleLowerCase('da');
      let visible = 0;
      for (const body of table.tBodies) {
        for (const row of body.rows) {
          const show = !q || row.textContent.toLocaleLowerCase('da').includes(q);
          row.hidden = !show;
          if (show) visible++;
        }
      }
      for (const out of document.querySelectorAll(`[data-filter-count="${CSS.escape(id)}"]`)) {
        out.textContent = String(visible);
      }
    };
    input.addEventListener('input', run);
    run(); // the browser may have restored a value
  }

  // ---- Dim map shapes that lack the chosen class ----------------------------------------
  function setupMapFilter(select) {
    const target = () => {
      const id = select.getAttribute('data-map-filter');
      if (id) return document.getElementById(id);
      return [...document.querySelectorAll('svg.map')].find((svg) =>
        select.compareDocumentPosition(svg) & Node.DOCUMENT_POSITION_FOLLOWING) || null;
    };
    const run = () => {
      const svg = target();
      if (!svg) return;
      const cls = select.value;
      for (const shape of svg.querySelectorAll('.shapes path')) {
        shape.classList.toggle('dim', cls !== '' && !shape.classList.contains(cls));
      }
    };
    select.addEventListener('change', run);
    run();
  }

  // ---- Forms that submit themselves -----------------------------------------------------
  function setupAutosubmit(form) {
    form.addEventListener('change', (e) => {
      if (!(e.target instanceof HTMLSelectElement)) return;
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    });
    // The submit button is only needed without script.
    for (const el of form.querySelectorAll('[data-autosubmit-hide]')) el.hidden = true;
  }

  function init() {
    document.querySelectorAll('svg[data-zoom]').forEach(setupZoom);
    document.querySelectorAll('table[data-sortable]').forEach(setupSortable);
    document.querySelectorAll('input[data-filter]').forEach(setupFilter);
    document.querySelectorAll('select[data-map-filter]').forEach(setupMapFilter);
    document.querySelectorAll('form[data-autosubmit]').forEach(setupAutosubmit);
    for (const b of document.querySelectorAll('button[data-print]')) {
      b.hidden = false;
      b.addEventListener('click', () => window.print());
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
})();
