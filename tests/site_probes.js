// What the browser tests read from a page of the handbook once MathJax has typeset it. One function,
// evaluated by Playwright: it returns plain data, and the tests in Python decide what is wrong.
() => {
  const SKIP = ["PRE", "CODE", "SCRIPT", "STYLE", "MATH", "TEXTAREA", "MJX-CONTAINER", "BUTTON", "svg"];
  const article = document.querySelector("article") || document.body;

  // ---- text outside code and formulas (where raw LaTeX must not appear)
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT, {
    acceptNode(node) {
      for (let el = node.parentElement; el; el = el.parentElement) {
        if (SKIP.includes(el.tagName.toUpperCase()) || SKIP.includes(el.tagName)) return NodeFilter.FILTER_REJECT;
      }
      return NodeFilter.FILTER_ACCEPT;
    },
  });
  const texts = [];
  while (walker.nextNode()) texts.push(walker.currentNode.nodeValue);

  // ---- formulas
  const marked = [...document.querySelectorAll(".arithmatex")];
  const formulas = {
    formulas: marked.length,
    // typeset: one container, drawn (not a placeholder of MathJax's lazy extension still waiting)
    typeset: marked.filter((el) => el.querySelectorAll("mjx-container").length === 1
      && el.querySelector("mjx-math") && !el.querySelector("mjx-lazy")).length,
    waiting: document.querySelectorAll("mjx-lazy").length,
    errors: document.querySelectorAll(".gp-math-error, mjx-merror").length,
    containers: document.querySelectorAll("mjx-container").length,
  };

  // ---- a displayed formula must not run into what follows it (bounding boxes, 1 px of slack)
  const overlaps = [];
  for (const display of document.querySelectorAll(".gp-display")) {
    const box = display.querySelector("mjx-container");
    const next = display.nextElementSibling;
    if (!box || !next || next.offsetParent === null) continue;
    const a = box.getBoundingClientRect();
    const b = next.getBoundingClientRect();
    if (b.height > 0 && b.top < a.bottom - 1 && b.left < a.right && a.left < b.right) {
      overlaps.push(`${display.textContent.slice(0, 40)} over ${next.className || next.tagName}: ${(a.bottom - b.top).toFixed(1)} px`);
    }
  }

  // ---- heading order: no jump of more than one level
  const levels = [...article.querySelectorAll("h1, h2, h3, h4, h5, h6")].map((h) => +h.tagName[1]);
  const jumps = [];
  levels.forEach((l, i) => { if (l > (i ? levels[i - 1] : 0) + 1) jumps.push(levels.slice(0, i + 1).join(">")); });

  // ---- contrast of text against its background (WCAG 2 relative luminance)
  const parse = (c) => {
    const m = c.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (fg, bg) => ({ r: fg.r * fg.a + bg.r * (1 - fg.a), g: fg.g * fg.a + bg.g * (1 - fg.a),
                              b: fg.b * fg.a + bg.b * (1 - fg.a), a: 1 });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let bg = { r: 255, g: 255, b: 255, a: 1 };
    for (const c of layers.reverse()) bg = over(c, bg);
    return bg;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (x, y) => { const [a, b] = [lum(x), lum(y)].sort((p, q) => q - p); return (a + 0.05) / (b + 0.05); };
  const lowContrast = [];
  const checked = article.querySelectorAll(
    ".gp-ok, .gp-bad, .gp-verdict, .gp-status, .gp-check, .gp-meta, .gp-reason, .gp-step-no, p, li, td, th, summary");
  for (const el of checked) {
    if (!el.textContent.trim() || el.offsetParent === null) continue;
    const style = getComputedStyle(el);
    const bg = background(el);
    const fg = over(parse(style.color), bg);
    const r = ratio(fg, bg);
    if (r < 4.5) lowContrast.push(`${el.className || el.tagName} "${el.textContent.trim().slice(0, 30)}": ${r.toFixed(2)}`);
  }

  return {
    text: texts.join(" "),
    formulas,
    overlaps,
    jumps,
    lowContrast: [...new Set(lowContrast)],
    mathsPerStep: [...document.querySelectorAll(".gp-step:not(.gp-start)")].map((s) => s.querySelectorAll("mjx-container").length),
    mathsInResult: document.querySelectorAll(".gp-result mjx-container").length,
    openSolutions: document.querySelectorAll("details.gp-solution[open]").length,
    solutions: document.querySelectorAll("details.gp-solution").length,
    typesetMs: window.gpMath ? window.gpMath.end - window.gpMath.start : null,
    scheme: document.body.getAttribute("data-md-color-scheme"),
    wide: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    // the worked example's formulas that scroll sideways in their own box (each must fit the width)
    exampleScrolls: [...document.querySelectorAll(".gp-example .gp-display")]
      .filter((d) => d.scrollWidth > d.clientWidth + 1)
      .map((d) => `${d.scrollWidth - d.clientWidth} px: ${d.textContent.slice(0, 60)}`),
  };
}
