// Typeset the math pymdownx.arithmatex marks (`generic: true`) with the KaTeX the
// site ships: no request leaves the site. Material re-emits `document$` on every
// page view, so instant navigation is covered too.
(function () {
  "use strict";
  var DELIMITERS = /^\\[(\[]|\\[)\]]$/g;

  function typeset(root) {
    var nodes = root.querySelectorAll(".arithmatex");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      if (node.getAttribute("data-kb-math")) continue;
      var tex = node.textContent.trim().replace(DELIMITERS, "");
      katex.render(tex, node, {
        displayMode: node.tagName === "DIV",
        throwOnError: false,
      });
      node.setAttribute("data-kb-math", "typeset");
    }
  }

  if (typeof document$ !== "undefined") {
    document$.subscribe(function () { typeset(document.body); });
  } else {
    document.addEventListener("DOMContentLoaded", function () { typeset(document.body); });
  }
})();
