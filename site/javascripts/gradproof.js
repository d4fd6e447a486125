/* gradproof: MathJax's settings (read by MathJax when it loads, so this file comes first) and the
   "copy LaTeX" button of displayed formulas. Everything is served by the site itself. */
window.MathJax = {
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
  },
  chtml: { matchFontHeight: true, displayAlign: "left", displayIndent: "0" },
  startup: {
    pageReady() {
      const start = performance.now();
      return MathJax.startup.defaultPageReady().then(() => {
        fitWideInlineFormulas();
        focusableScrollers();
        // read by the browser tests and bench/bench_site.py: when the math was done, and how long it took
        window.gpMath = { start: start, end: performance.now(), errors: document.querySelectorAll("mjx-merror").length };
        document.documentElement.setAttribute("data-gp-math", "done");
      });
    },
  },
};

// MathJax does not break lines: an inline formula wider than its paragraph (on a phone) gets a
// scroll bar of its own instead of making the whole page scroll sideways.
function fitWideInlineFormulas() {
  for (const el of document.querySelectorAll("span.arithmatex")) {
    const box = el.parentElement;
    if (box && el.getBoundingClientRect().width > box.clientWidth) el.classList.add("gp-wide");
  }
}

// A box that scrolls sideways (a wide table, formula or graph on a phone) must be reachable from the
// keyboard to be scrolled: one with nothing focusable inside becomes a tab stop.
function focusableScrollers() {
  const focusable = "a[href], button, input, select, textarea, [tabindex]";
  for (const el of document.querySelectorAll(".md-typeset__scrollwrap, .gp-graph-scroll, span.gp-wide, .gp-display")) {
    if (el.scrollWidth > el.clientWidth && !el.querySelector(focusable) && !el.hasAttribute("tabindex")) {
      el.setAttribute("tabindex", "0");
    }
  }
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
