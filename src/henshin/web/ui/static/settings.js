// Settings page: small conveniences on top of plain forms (everything works without them).
(function () {
  "use strict";
  // Availability takes effect as soon as it is chosen; the button stays for keyboards without JS.
  for (const select of document.querySelectorAll("form[action='/settings/availability'] select")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // The weekly periods only matter when the person has a shift: grey them out otherwise.
  const hasShift = document.getElementById("m-has_shift");
  if (hasShift) {
    const editor = hasShift.closest("fieldset");
    const sync = () => {
      for (const input of editor.querySelectorAll("input[type=text], input[name=shift_holidays]")) {
        input.disabled = !hasShift.checked;
      }
    };
    hasShift.addEventListener("change", sync);
    sync();
  }
})();
