// The light/dark toggle, inlined by scripts/hooks/fast_pages.py right after Material's palette form,
// in place of Material's own palette component. Material's sets and removes attributes on <body>
// and <meta name="color-scheme"> while the page loads, and each change restyles the whole document:
// four full restyles, about a second of a throttled phone's main thread on a long page. This does
// the same job once, before the page below the header exists. It keeps Material's storage format
// (__md_set("__palette", {index, color})), so a choice made on any page is kept on every page.
(function () {
  var form = document.querySelector("[data-palette-toggle]");
  if (!form) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll("input"));
  function apply(index, remember) {
    var input = inputs[index], color = {};
    ["media", "scheme", "primary", "accent"].forEach(function (key) {
      var name = "data-md-color-" + key;
      color[key] = input.getAttribute(name);
      if (document.body.getAttribute(name) !== color[key]) document.body.setAttribute(name, color[key]);
    });
    inputs.forEach(function (other, i) {
      other.checked = i === index;
      other.nextElementSibling.hidden = i !== index;  // the label that switches to the next palette
    });
    if (remember) __md_set("__palette", { index: index, color: color });
  }
  var saved = __md_get("__palette");
  var index = saved ? saved.index : inputs.findIndex(function (input) {
    return matchMedia(input.getAttribute("data-md-color-media")).matches;
  });
  apply(Math.max(0, Math.min(index, inputs.length - 1)), false);
  inputs.forEach(function (input, i) {
    input.addEventListener("change", function () { apply(i, true); });
  });
})();
