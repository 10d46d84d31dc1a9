// Material adds a <nav class="md-code__nav"> (the copy button) per code block after the page loads,
// and tables sit in scroll wrappers (built by scripts/hooks/fast_pages.py). axe-core flags both:
// - many code navs with one name: name each after its block;
// - a wrapper that scrolls but that a keyboard cannot reach: let keyboards focus it.
// Reading a wrapper's size forces a layout, so that is done once after load and on resize, never
// inside the observer, which runs each time Material inserts something.
(function () {
  function nameCodeNavs() {
    document.querySelectorAll("nav.md-code__nav:not([aria-label])").forEach(function (nav) {
      var block = nav.parentElement;
      nav.setAttribute("aria-label", "Actions for code block " + (block && block.id ? block.id.replace("__code_", "") : ""));
    });
  }
  function focusScrollingTables() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table, scrolls sideways");
      } else if (wrap.getAttribute("role") === "region") {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }
  new MutationObserver(nameCodeNavs).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", nameCodeNavs);
  window.addEventListener("load", focusScrollingTables);
  window.addEventListener("resize", focusScrollingTables);
})();
