/* gradproof: MathJax's settings (read by MathJax when it loads, so this file comes first) and the
   "copy LaTeX" button of displayed formulas. Everything is served by the site itself. */
window.MathJax = {
  // ui/lazy: a formula is typeset when it comes near the screen (lazyMargin), so a page with 150-270
  // formulas shows its first screen's math without waiting for all of them; the rest follow when the
  // browser is idle (typesetAll below), so every formula, with its MathML for screen readers, is
  // there soon after load without scrolling. Served by the site like the rest of MathJax.
  loader: { load: ["ui/lazy"] },
  tex: {
    inlineMath: [["\\(", "\\)"]],
    displayMath: [["\\[", "\\]"]],
    processEscapes: false,
    processEnvironments: true,
    // an unknown command is an error node (which the browser tests look for), not red text
    packages: { "[-]": ["noundefined"] },
  },
  options: {
    // only what pymdownx.arithmatex marked as math is typeset; the rest of the page is left alone
    ignoreHtmlClass: ".*|",
    processHtmlClass: "arithmatex",
    enableMenu: false,
    lazyMargin: "400px",
    // after every typesetting pass (the first screen, a lazy batch, the rest): the fixes below
    renderActions: { gpFit: [10000, () => afterTypeset(), () => {}] },
  },
  chtml: { matchFontHeight: true, displayAlign: "left", displayIndent: "0" },
  startup: {
    pageReady() {
      const start = performance.now();
      return MathJax.startup.defaultPageReady().then(() => {
        // read by the browser tests and bench/bench_site.py: when the math on screen was done, and how
        // long it took
        window.gpMath = { start: start, end: performance.now(), errors: document.querySelectorAll("mjx-merror").length };
        document.documentElement.setAttribute("data-gp-math", "done");
        if (window.requestIdleCallback) requestIdleCallback(() => typesetAll(), { timeout: 3000 });
        else setTimeout(typesetAll, 200);
      });
    },
  },
};

function afterTypeset() {
  fitWideInlineFormulas();
  focusableScrollers();
}

// Every formula still waiting for the lazy extension, typeset now (once; the browser tests call it too
// and then find every formula typeset). Sets data-gp-math-all when done.
function typesetAll() {
  if (!window.gpAllMath) {
    const doc = MathJax.startup.document;
    const start = performance.now();
    const all = doc.lazyTypesetAll ? doc.lazyTypesetAll() : Promise.resolve();
    window.gpAllMath = all.then(() => {
      afterTypeset();
      // read by bench/bench_site.py: how long the formulas off the first screen took
      window.gpMathRest = { start: start, end: performance.now() };
      document.documentElement.setAttribute("data-gp-math-all", "done");
    });
  }
  return window.gpAllMath;
}
window.gpTypesetAll = typesetAll;

// MathJax does not break lines: an inline formula wider than its paragraph (on a phone) gets a
// scroll bar of its own instead of making the whole page scroll sideways.
// Each formula is measured once, when it has been typeset (a lazy one later), and all are read before
// any is changed: a change between two reads would make the browser lay the page out again.
function fitWideInlineFormulas() {
  const fresh = [...document.querySelectorAll("span.arithmatex:not([data-gp-fit])")]
    .filter((el) => el.parentElement && el.querySelector("mjx-math"));
  const wide = fresh.filter((el) => el.getBoundingClientRect().width > el.parentElement.clientWidth);
  for (const el of fresh) el.setAttribute("data-gp-fit", "");
  for (const el of wide) el.classList.add("gp-wide");
}

// A box that scrolls sideways (a wide table, formula or graph on a phone) must be reachable from the
// keyboard to be scrolled: one with nothing focusable inside becomes a tab stop.
function focusableScrollers() {
  const focusable = "a[href], button, input, select, textarea, [tabindex]";
  const boxes = [...document.querySelectorAll(".md-typeset__scrollwrap, .gp-graph-scroll, span.gp-wide, .gp-display")]
    .filter((el) => !el.hasAttribute("tabindex") && !el.querySelector(focusable));  // no layout read yet
  const scrolling = boxes.filter((el) => el.scrollWidth > el.clientWidth);
  for (const el of scrolling) el.setAttribute("tabindex", "0");
}

// Material wraps wide tables in their scrolling box when it mounts the page, which may come before
// or after MathJax's typesetting: both call it.
if (window.document$) window.document$.subscribe(() => focusableScrollers());

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.gp-copy");
  if (!button) return;
  const done = () => {
    button.classList.add("gp-copied");
    setTimeout(() => button.classList.remove("gp-copied"), 1200);
  };
  const text = button.getAttribute("data-latex");
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text, done));
  } else {
    fallbackCopy(text, done);
  }
});

function fallbackCopy(text, done) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try { document.execCommand("copy"); done(); } finally { area.remove(); }
}
