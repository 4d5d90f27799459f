// The workspace's few lines: after a refused or a done action, bring its message into view
// and give it the focus, so the eye and a screen reader start there (WCAG 2.2, 3.3.1, 4.1.3).
(function () {
  "use strict";
  function focusMessage() {
    var found = document.querySelector('[role="alert"]') || document.querySelector("[data-focus]");
    if (!found) {
      return;
    }
    if (!found.hasAttribute("tabindex")) {
      found.setAttribute("tabindex", "-1");
    }
    found.scrollIntoView({ block: "center" });
    found.focus({ preventScroll: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusMessage);
  } else {
    focusMessage();
  }
})();
