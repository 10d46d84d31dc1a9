// Material adds two kinds of widget after the page loads, and axe-core flags both:
// - a <nav class="md-code__nav"> (the copy button) per code block: many landmarks with one name;
// - a scroll wrapper around wide tables that a keyboard cannot reach.
// Name each code nav after its block, and let keyboards focus a wrapper that scrolls.
(function () {
  function fix(root) {
    root.querySelectorAll("nav.md-code__nav:not([aria-label])").forEach(function (nav) {
      var block = nav.parentElement;
      nav.setAttribute("aria-label", "Actions for code block " + (block && block.id ? block.id.replace("__code_", "") : ""));
    });
    root.querySelectorAll(".md-typeset__scrollwrap:not([tabindex])").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "Table, scrolls sideways");
      }
    });
  }
  new MutationObserver(function () { fix(document); }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () { fix(document); });
})();
